import Foundation
import HTTPTypes
import Inlet
import Testing

/// Single dispatches arriving together are written together (group commit, on by default): each is still
/// answered exactly as alone, whatever it was written with.
@Suite struct GroupCommitAPITests {
    @Test func concurrentDispatchesAreEachAnsweredAsIfAlone() async throws {
        try await TestApp.run { admin in
            let project = try await TestApp.project(admin, name: "group-commit")
            let api = project.api
            _ = try await DispatchAPITests.routedSource(api)
            enum Kind: Sendable { case plain, sameKey, unstorable }
            let kinds: [Kind] =
                Array(repeating: .plain, count: 30) + Array(repeating: .sameKey, count: 6)
                + Array(repeating: .unstorable, count: 4)
            let answers = try await withThrowingTaskGroup(of: (Kind, APIResponse).self) { tasks in
                for (index, kind) in kinds.shuffled().enumerated() {
                    tasks.addTask {
                        let n = JSONValue.int(Int64(index))
                        let body: JSONValue =
                            switch kind {
                            case .plain:
                                ["source": "orders", "payload": ["type": "order.created", "amount": 42, "n": n]]
                            case .sameKey:
                                [
                                    "source": "orders", "payload": ["type": "order.created", "amount": 42, "n": n],
                                    "idempotency_key": "the-same-key",
                                ]
                            // PostgreSQL refuses a NUL in jsonb: the statement holding it fails, its neighbours not.
                            case .unstorable:
                                [
                                    "source": "orders",
                                    "payload": ["type": "order.created", "amount": 42, "note": "a\u{0000}b"],
                                ]
                            }
                        return (kind, try await api.post("/v1/events/dispatch", body))
                    }
                }
                var answers: [(Kind, APIResponse)] = []
                for try await answer in tasks { answers.append(answer) }
                return answers
            }
            for (kind, answer) in answers {
                switch kind {
                case .plain:
                    #expect(answer.status == .accepted, "\(answer.text)")
                    #expect(answer.body?["dispatched"] == 3 && answer.body?["duplicate"] == false)
                case .sameKey:
                    #expect(answer.status == .accepted, "\(answer.text)")
                case .unstorable:
                    #expect(answer.status == .unprocessableContent, "\(answer.text)")
                }
            }
            let sameKey = answers.filter { $0.0 == .sameKey }.map(\.1)
            #expect(Set(sameKey.compactMap { $0.body?["event_id"]?.stringValue }).count == 1, "one event for one key")
            #expect(sameKey.filter { $0.body?["duplicate"] == false }.count == 1)
            let events = try #require(try await api.get("/v1/events?limit=100").body?.arrayValue)
            #expect(events.count == 31)
            let stored = Set(events.compactMap { $0["id"]?.stringValue })
            let answered = Set(
                answers.filter { $0.0 != .unstorable }.compactMap { $0.1.body?["event_id"]?.stringValue })
            #expect(stored == answered)
            let runs = try #require(try await api.get("/v1/runs?limit=200").body?.arrayValue)
            #expect(runs.count == 31 * 3)
        }
    }
}
