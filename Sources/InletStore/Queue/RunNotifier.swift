import Logging
import Postgres
import ServiceLifecycle
import Synchronization

/// Wakes workers (`NOTIFY inlet_runs`) after runs became runnable (dispatch, replay, retry), coalescing bursts
/// into one NOTIFY at a time. The only sender of the queue's notifications: its channel is the one workers LISTEN
/// on. Sending NOTIFY outside the writing transaction keeps PostgreSQL's notification queue lock off the commit
/// path; workers also poll, so a lost wake-up only delays a run by the poll interval.
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

    /// Called after runs became runnable; cheap and non-blocking. The NOTIFY is sent by ``run()``.
    public func runsCreated() {
        if !pending.exchange(true, ordering: .acquiringAndReleasing) { wakeUp.yield() }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in self.wakeUps {
                self.pending.store(false, ordering: .releasing)
                do {
                    try await self.notify()
                } catch {
                    self.logger.debug(
                        "NOTIFY failed; workers will find the runs by polling", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// Sends one NOTIFY now: for one-shot processes (the admin CLI) that run no notifier service.
    public func notify() async throws {
        try await pool.query("SELECT pg_notify($1, '')", [Self.channel])
    }
}
