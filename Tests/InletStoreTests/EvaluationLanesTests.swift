import Foundation
import Synchronization
import Testing

@testable import InletStore

#if canImport(Glibc)
    import Glibc
#endif

/// The lanes that evaluate large payloads: projects take turns, and the work runs at a lower priority.
@Suite struct EvaluationLanesTests {
    @Test func projectsTakeTurnsSoOneTenantsQueueDoesNotDelayAnother() async throws {
        let lanes = EvaluationLanes(threads: 1)
        let a = UUID()
        let b = UUID()
        let order = Log()
        let gate = Gate()
        let started = Gate()
        try await withThrowingTaskGroup(of: Void.self) { group in
            // A1 holds the only lane until every other job is queued.
            group.addTask {
                try await lanes.run(projectID: a) {
                    started.signal()
                    gate.wait()
                    order.append("A1")
                }
            }
            await Task.detached { started.wait() }.value
            for index in 2...5 {
                group.addTask { try await lanes.run(projectID: a) { order.append("A\(index)") } }
                try await waitUntil { lanes.queuedJobs == index - 1 }
            }
            group.addTask { try await lanes.run(projectID: b) { order.append("B1") } }
            try await waitUntil { lanes.queuedJobs == 5 }
            gate.signal()
            try await group.waitForAll()
        }
        // After A1, the lanes alternate between the projects with work: A2 was queued before B1 arrived.
        #expect(order.entries == ["A1", "A2", "B1", "A3", "A4", "A5"])
    }

    @Test func workRunsAtALowerPriorityThanTheCaller() async throws {
        let lanes = EvaluationLanes(threads: 1)
        let nice = try await lanes.run(projectID: UUID()) { getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) }
        #expect(nice == EvaluationLanes.niceness)
        #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) < EvaluationLanes.niceness)
    }

    @Test func errorsComeBackToTheCaller() async {
        struct Refused: Error {}
        let lanes = EvaluationLanes(threads: 1)
        await #expect(throws: Refused.self) { try await lanes.run(projectID: UUID()) { throw Refused() } }
    }

    final class Log: Sendable {
        private let state = Mutex<[String]>([])
        func append(_ entry: String) { state.withLock { $0.append(entry) } }
        var entries: [String] { state.withLock { $0 } }
    }

    /// A semaphore that threads outside Swift concurrency (the lanes) can wait on.
    final class Gate: @unchecked Sendable {
        private let semaphore = DispatchSemaphore(value: 0)
        func signal() { semaphore.signal() }
        func wait() { semaphore.wait() }
    }

    private func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<12_000 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
        #expect(condition())
    }
}
