import Foundation
import InletStore
import InletTestSupport
import InletWorker
import Logging
import Postgres
import ServiceLifecycle
import Synchronization

extension QueueFixture {
    /// A worker configuration for tests: quick polling, short grace, private targets allowed.
    func workerConfiguration(
        id: String = "test-worker", _ configure: (inout WorkerConfiguration) -> Void = { _ in }
    ) -> WorkerConfiguration {
        var configuration = WorkerConfiguration(
            databaseURL: TestDatabase.url, secretBox: secretBox, workerID: id, pollInterval: .milliseconds(100),
            shutdownGrace: .seconds(2), allowPrivateTargets: true)
        configure(&configuration)
        return configuration
    }
}

/// Runs `services` in a service group while `body` runs, then shuts them down gracefully and waits for them.
func withServices<T: Sendable>(
    _ services: [any Service], _ body: (ServiceGroup) async throws -> T
) async throws -> T {
    var logger = Logger(label: "test-services")
    logger.logLevel = .error
    let group = ServiceGroup(configuration: .init(services: services, logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        do {
            let result = try await body(group)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
    }
}

/// A logger that keeps test output quiet unless something goes wrong.
func quietLogger(_ label: String = "inlet.worker") -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .error
    return logger
}

/// A custom kind for tests: records each execution and sleeps `config.ms` milliseconds (stopping when cancelled).
struct RecordingHandler: JobHandler {
    let executions = Executions()

    final class Executions: Sendable {
        private let runs = Mutex<[RunLease]>([])
        var all: [RunLease] { runs.withLock { $0 } }
        func append(_ lease: RunLease) { runs.withLock { $0.append(lease) } }
    }

    func execute(_ run: ClaimedRun, context: JobExecutionContext) async -> JobOutcome {
        executions.append(run.lease)
        let milliseconds = (try? run.config())?["ms"]?.numberValue?.int64 ?? 0
        if milliseconds > 0 {
            do {
                try await Task.sleep(for: .milliseconds(milliseconds))
            } catch {
                return .failed("cancelled")
            }
        }
        return .succeeded()
    }
}

/// A custom kind for tests that coordinate with the worker through events rather than sleeps: each execution is
/// recorded when it starts, then waits until the test opens the gate named by `config.gate`. It ends early when
/// cancelled, and after `safetyLimit` at the latest, so a worker that never cancels it cannot hang the suite.
final class GatedHandler: JobHandler {
    /// Runs whose execution started, in order.
    let started = RecordingHandler.Executions()
    private let gates = Mutex<Set<String>>([])
    private let endings = Mutex<[UUID: Ending]>([:])
    let safetyLimit: Duration

    init(safetyLimit: Duration = .seconds(120)) { self.safetyLimit = safetyLimit }

    enum Ending: Equatable, Sendable { case opened, cancelled, safetyLimit }

    /// Lets every run waiting at (or later reaching) gate `name` succeed.
    func open(_ name: String) { _ = gates.withLock { $0.insert(name) } }

    /// How the execution of run `id` ended; nil while it runs (or if it never started).
    func ending(of id: UUID) -> Ending? { endings.withLock { $0[id] } }

    func execute(_ run: ClaimedRun, context: JobExecutionContext) async -> JobOutcome {
        started.append(run.lease)
        let gate = (try? run.config())?["gate"]?.stringValue ?? ""
        let deadline = ContinuousClock.now.advanced(by: safetyLimit)
        var ending = Ending.opened
        while !gates.withLock({ $0.contains(gate) }) {
            guard ContinuousClock.now < deadline else {
                ending = .safetyLimit
                break
            }
            do {
                try await Task.sleep(for: .milliseconds(5))
            } catch {
                ending = .cancelled
                break
            }
        }
        endings.withLock { $0[run.runID] = ending }
        return ending == .opened ? .succeeded() : .failed("gate \(gate): \(ending)")
    }
}
