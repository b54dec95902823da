import Foundation
import HTTPTypes
import Inlet
import InletTestSupport
import Testing

@testable import InletHTTP

/// A tenant's schema, filters and payload get a bounded amount of evaluation per request (`INLET_WORK_BUDGET_STEPS`),
/// through dispatch, ingest and replay alike, and the work stops when the client hangs up.
@Suite struct WorkBudgetAPITests {
    static let tightBudget = TestApp.configuration { $0.workBudgetSteps = 20_000 }

    @Test func anEventOverTheBudgetIsRefusedWith422AndNothingIsStored() async throws {
        try await TestApp.run(configuration: Self.tightBudget) { admin in
            let api = try await TestApp.project(admin).api
            let checked = try await api.post(
                "/v1/event-sources", ["name": "checked", "schema": ["properties": ["s": ["pattern": "(?=.*x)"]]]])
            _ = try await api.patch("/v1/event-sources/\(checked.idString)", ["signature_scheme": "none"])
            let filtered = try await api.post("/v1/event-sources", ["name": "filtered"])
            let job = try await api.post("/v1/jobs", ["name": "j", "kind": "noop"]).idString
            let subscribed = try await api.post(
                "/v1/event-sources/\(filtered.idString)/subscribe",
                ["target_type": "job", "target_id": .string(job), "filter_expr": ["s": [["wildcard": "*a*a*a*b"]]]])
            #expect(subscribed.status == .created)

            let long = JSONValue.string(String(repeating: "a", count: 800_000))
            for source in ["checked", "filtered"] {
                let refused = try await api.post(
                    "/v1/events/dispatch", ["source": .string(source), "payload": ["s": long]])
                #expect(refused.status == .unprocessableContent, "\(source): \(refused.text.prefix(200))")
                #expect(refused.errorCode == "work_budget_exceeded")
                #expect(refused.text.contains("work budget of 20000 steps"))
                // The same event, small, is within the budget.
                let small = try await api.post(
                    "/v1/events/dispatch", ["source": .string(source), "payload": ["s": "ax"]])
                #expect(small.status == .accepted)
            }
            let ingested = try await api.withToken(nil).request(
                .post, "/v1/ingest/\(checked.idString)",
                rawBody: String(decoding: (["s": long] as JSONValue).serializedBytes(), as: UTF8.self))
            #expect(ingested.status == .unprocessableContent)
            #expect(ingested.errorCode == "work_budget_exceeded")
            // Only the two small events were stored.
            let events = try await api.get("/v1/events")
            #expect(events.body?.arrayValue?.count == 2)
        }
    }

    /// A payload of many small values costs its parse: with a schema it draws on the budget, even when the schema
    /// itself has nothing to check; without one the payload is never parsed into a tree and is stored as sent.
    @Test func theParseForASchemaDrawsOnTheBudget() async throws {
        let budget = TestApp.configuration { $0.workBudgetSteps = 200_000 }
        try await TestApp.run(configuration: budget) { admin in
            let api = try await TestApp.project(admin).api
            _ = try await api.post("/v1/event-sources", ["name": "typed", "schema": ["type": "object"]])
            _ = try await api.post("/v1/event-sources", ["name": "open"])
            // 20,000 members: about 1.5 M parse steps, over the budget; the text is under 400 KiB.
            var members = JSONObject()
            for index in 0..<20_000 { members["k\(index)"] = .int(Int64(index)) }
            let refused = try await api.post(
                "/v1/events/dispatch", ["source": "typed", "payload": .object(members)])
            #expect(refused.status == .unprocessableContent, "\(refused.text.prefix(200))")
            #expect(refused.errorCode == "work_budget_exceeded")
            let accepted = try await api.post(
                "/v1/events/dispatch", ["source": "open", "payload": .object(members)])
            #expect(accepted.status == .accepted, "\(accepted.text.prefix(200))")
            let stored = try await api.get("/v1/events/\(accepted.body?["event_id"]?.stringValue ?? "")")
            #expect(stored.body?["payload"] == .object(members))
            #expect(try await api.get("/v1/events").body?.arrayValue?.count == 1)
        }
    }

    /// Explaining compiles each subscription's pattern: many large patterns draw on the budget like the matching.
    @Test func explainingManyLargePatternsDrawsOnTheBudget() async throws {
        try await TestApp.run(configuration: Self.tightBudget) { admin in
            let api = try await TestApp.project(admin).api
            let source = try await api.post("/v1/event-sources", ["name": "many"]).idString
            // Each pattern is ~12 KB of text: a thousand values for one field.
            let values = JSONValue.array((0..<1_000).map { .string("value-\($0)") })
            for index in 0..<10 {
                let job = try await api.post("/v1/jobs", ["name": .string("j\(index)"), "kind": "noop"]).idString
                let subscribed = try await api.post(
                    "/v1/event-sources/\(source)/subscribe",
                    ["target_type": "job", "target_id": .string(job), "filter_expr": ["a": values]])
                #expect(subscribed.status == .created)
            }
            let refused = try await api.post("/v1/event-sources/\(source)/explain", ["payload": ["a": "b"]])
            #expect(refused.status == .unprocessableContent, "\(refused.text.prefix(200))")
            #expect(refused.errorCode == "work_budget_exceeded")
        }
    }

    /// A hostile evaluation (a budget large enough for minutes of work) ends when its client hangs up.
    @Test func aClientThatHangsUpStopsTheEvaluation() async throws {
        try await OverloadTests.live({
            $0.workBudgetSteps = 1_000_000_000
            // The deadline must not be what stops the evaluation.
            $0.httpRequestTimeoutMilliseconds = 3_600_000
        }) { client, port in
            let admin = APITestClient(client: client, token: TestApp.adminToken)
            let project = try await TestApp.project(admin, name: "hangs-up")
            // A thousand alternatives under a star: about two thousand steps per character of the payload.
            let alternatives = Array(repeating: "a", count: 1_000).joined(separator: "|")
            _ = try await project.api.post(
                "/v1/event-sources",
                ["name": "slow", "schema": ["properties": ["s": ["pattern": .string("^(?:\(alternatives))*b$")]]]])
            let body = String(
                decoding: (["source": "slow", "payload": ["s": .string(String(repeating: "a", count: 500_000))]]
                    as JSONValue).serializedBytes(), as: UTF8.self)
            let socket = try RawSocket(port: port)
            try socket.send(
                "POST /v1/events/dispatch HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(project.api.token ?? "")\r\n"
                    + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body)
            try await Task.sleep(for: .milliseconds(500))
            socket.close()
            try await waitUntilMetrics(admin, contain: #"inlet_dispatch_events_total{outcome="cancelled",via="api"} 1"#)
            let metrics = try await admin.get("/metrics").text
            #expect(!metrics.contains("work_budget_exceeded"))
        }
    }

    /// The request deadline (`INLET_HTTP_REQUEST_TIMEOUT_MS`, from the request's arrival) ends the evaluation too.
    @Test func anEvaluationPastTheRequestDeadlineStops() async throws {
        let configuration = TestApp.configuration {
            $0.workBudgetSteps = 1_000_000_000
            $0.httpRequestTimeoutMilliseconds = 1_000
        }
        try await TestApp.run(configuration: configuration) { admin in
            let api = try await TestApp.project(admin).api
            let alternatives = Array(repeating: "a", count: 1_000).joined(separator: "|")
            _ = try await api.post(
                "/v1/event-sources",
                ["name": "slow", "schema": ["properties": ["s": ["pattern": .string("^(?:\(alternatives))*b$")]]]])
            let answer = try await api.post(
                "/v1/events/dispatch",
                ["source": "slow", "payload": ["s": .string(String(repeating: "a", count: 500_000))]])
            #expect(answer.status == .serviceUnavailable)
            #expect(answer.text.contains("cancelled"))
            #expect(try await api.get("/v1/events").body?.arrayValue?.isEmpty == true)
        }
    }

    func waitUntilMetrics(_ admin: APITestClient, contain line: String) async throws {
        // Far less than the evaluation would take, far more than a loaded machine needs to notice the hang-up.
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if try await admin.get("/metrics").text.contains(line) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the metrics never showed \(line)")
    }
}
