import Foundation
import Inlet
import Synchronization
import Testing

@testable import InletStore

/// Group commit's hand-offs, with a stand-in for the statement (the statement itself is covered by the API tests,
/// which all dispatch through group commit): who writes what together, and what each request is answered.
@Suite struct DispatchGroupCommitTests {
    /// Records each statement's events (by idempotency key) and holds the first one until released.
    final class Statements: Sendable {
        let calls = Mutex<[[String]]>([])
        let firstReleased = Mutex(false)
        let failing: @Sendable ([String]) -> (any Error)?

        init(failing: @escaping @Sendable ([String]) -> (any Error)? = { _ in nil }) { self.failing = failing }

        func insert(_ items: [EventInsert]) async throws -> [DispatchResult?] {
            let keys = items.map { $0.request.idempotencyKey ?? "" }
            let isFirst = calls.withLock { calls in
                calls.append(keys)
                return calls.count == 1
            }
            if isFirst { while !firstReleased.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(2)) } }
            if let error = failing(keys) { throw error }
            return items.map { DispatchResult(eventID: UUID(), dispatched: $0.targets.count, duplicate: false) }
        }
    }

    static func item(_ key: String) throws -> EventInsert {
        let projectID = UUID()
        let source = EventSource(
            id: UUID(), projectID: projectID, name: "s", description: nil, schema: [:], enabled: true,
            signatureScheme: nil, signatureHeader: nil, signatureAlgorithm: .hmacSHA256, signatureEncoding: .hex,
            idempotencyHeader: nil, version: 1, createdAt: Date(), updatedAt: Date())
        var request = DispatchRequest(
            projectID: projectID, source: .id(source.id), payload: EventPayload(validatedText: Array("{}".utf8)))
        request.idempotencyKey = key
        return EventInsert(
            request: request, route: try SourceRoute(source: source, subscriptions: []), targets: [], orderingKeys: [])
    }

    /// While the one writer's statement runs, the dispatches that arrive wait, and the next statement writes them
    /// all together; every request gets an answer.
    @Test func dispatchesArrivingDuringAStatementAreWrittenByTheNextOne() async throws {
        let statements = Statements()
        let group = DispatchGroupCommit(writers: 1) { try await statements.insert($0) }
        try await withThrowingTaskGroup(of: String.self) { tasks in
            tasks.addTask {
                _ = try await group.write(try Self.item("first"))
                return "first"
            }
            try await waitFor { statements.calls.withLock { $0.count } == 1 }
            for key in ["a", "b", "c", "d"] {
                tasks.addTask {
                    _ = try await group.write(try Self.item(key))
                    return key
                }
            }
            try await waitFor { group.waitingCount == 4 }
            statements.firstReleased.withLock { $0 = true }
            var answered: Set<String> = []
            for try await key in tasks { answered.insert(key) }
            #expect(answered == ["first", "a", "b", "c", "d"])
        }
        let calls = statements.calls.withLock { $0 }
        #expect(calls.count == 2, "\(calls)")
        #expect(calls.first == ["first"])
        #expect(Set(calls.last ?? []) == ["a", "b", "c", "d"], "the four waiting dispatches, in one statement")
        #expect(group.waitingCount == 0)
    }

    /// A statement refused for one event's data is written again event by event: only that event's request fails.
    @Test func oneBadEventDoesNotFailItsNeighbours() async throws {
        let statements = Statements(failing: { keys in
            keys.contains("bad") ? StoreError(.invalid, "a value cannot be stored") : nil
        })
        let group = DispatchGroupCommit(writers: 1) { try await statements.insert($0) }
        let outcomes = try await withThrowingTaskGroup(of: (String, Bool).self) { tasks in
            tasks.addTask { ("first", (try? await group.write(try Self.item("first"))) != nil) }
            try await waitFor { statements.calls.withLock { $0.count } == 1 }
            for key in ["a", "bad", "c"] {
                tasks.addTask { (key, (try? await group.write(try Self.item(key))) != nil) }
            }
            try await waitFor { group.waitingCount == 3 }
            statements.firstReleased.withLock { $0 = true }
            var outcomes: [String: Bool] = [:]
            for try await (key, succeeded) in tasks { outcomes[key] = succeeded }
            return outcomes
        }
        #expect(outcomes == ["first": true, "a": true, "bad": false, "c": true])
        let calls = statements.calls.withLock { $0 }
        #expect(calls.count == 5, "first; the three together; then each alone: \(calls)")
        #expect(Set(calls[1]) == ["a", "bad", "c"])
    }

    /// A failure of the database itself fails that statement's requests, without writing each again.
    @Test func aDatabaseFailureFailsTheStatementsRequests() async throws {
        struct Unavailable: Error {}
        let statements = Statements(failing: { keys in keys.count > 1 ? Unavailable() : nil })
        let group = DispatchGroupCommit(writers: 1) { try await statements.insert($0) }
        let failures = try await withThrowingTaskGroup(of: Bool.self) { tasks in
            tasks.addTask { (try? await group.write(try Self.item("first"))) == nil }
            try await waitFor { statements.calls.withLock { $0.count } == 1 }
            for key in ["a", "b"] {
                tasks.addTask { (try? await group.write(try Self.item(key))) == nil }
            }
            try await waitFor { group.waitingCount == 2 }
            statements.firstReleased.withLock { $0 = true }
            var failures = 0
            for try await failed in tasks where failed { failures += 1 }
            return failures
        }
        #expect(failures == 2, "a and b, written together; first alone succeeded")
        #expect(statements.calls.withLock { $0.count } == 2)
    }

    /// Waits for `condition` (a state, not a time: the bound only keeps a broken build from hanging).
    func waitFor(_ condition: () -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("condition not met", sourceLocation: sourceLocation)
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}
