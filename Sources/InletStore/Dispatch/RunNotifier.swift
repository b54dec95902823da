import Logging
import Postgres
import ServiceLifecycle
import Synchronization

/// Wakes workers (`NOTIFY inlet_runs`) after dispatches created runs, coalescing bursts into one NOTIFY at a
/// time. Sending NOTIFY outside the dispatch transaction keeps PostgreSQL's notification queue lock off the
/// commit path; workers also poll, so a lost wake-up only delays a run by the poll interval.
public final class RunNotifier: Service, Sendable {
    public static let channel = "inlet_runs"

    private let pool: PostgresPool
    private let logger: Logger
    private let pending = Atomic<Bool>(false)
    private let wakeUp: AsyncStream<Void>.Continuation
    private let wakeUps: AsyncStream<Void>

    public init(pool: PostgresPool, logger: Logger = Logger(label: "inlet.notifier")) {
        self.pool = pool
        self.logger = logger
        (wakeUps, wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Called after a dispatch committed runs; cheap and non-blocking.
    public func runsCreated() {
        if !pending.exchange(true, ordering: .acquiringAndReleasing) { wakeUp.yield() }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in self.wakeUps {
                self.pending.store(false, ordering: .releasing)
                do {
                    try await self.pool.query("SELECT pg_notify($1, '')", [Self.channel])
                } catch {
                    self.logger.debug(
                        "NOTIFY failed; workers will find the runs by polling", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
