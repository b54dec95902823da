import Foundation
import HTTPTypes
import Inlet
import InletTestSupport
import Testing

/// Issue 16's API surface: job retry policies, delayed dispatch and `scheduled` runs, filter explanations, and
/// form-encoded ingest. Each test works in its own project.
@Suite struct DeliveryPolicyAPITests {
    @Test func jobsShowTheirRetryPolicyAndNonsenseIsRefusedNamingTheField() async throws {
        try await TestApp.run { admin in
            let api = try await TestApp.project(admin).api
            let plain = try await api.post("/v1/jobs", ["name": "plain", "kind": "noop"])
            #expect(plain["retry_policy"]?["delays_ms"]?.arrayValue?.count == 9)
            #expect(plain["retry_policy"]?["non_retryable_statuses"] == ["4xx"])
            #expect(plain["retry_policy"]?["retryable_statuses"] == [408, 425, 429])

            let custom = try await api.post(
                "/v1/jobs",
                [
                    "name": "custom", "kind": "noop",
                    "retry_policy": [
                        "initial_delay_ms": 500, "max_delay_ms": 60000, "max_age_ms": 86_400_000,
                        "non_retryable_statuses": ["4xx", 501],
                    ],
                ])
            #expect(custom.status == .created)
            #expect(custom["retry_policy"]?["initial_delay_ms"] == 500)
            #expect(custom["retry_policy"]?["max_age_ms"] == 86_400_000)
            #expect(custom["retry_policy"]?["non_retryable_statuses"] == ["4xx", 501])
            #expect(try await api.get("/v1/jobs/\(custom.idString)")["retry_policy"] == custom["retry_policy"])

            let patched = try await api.patch("/v1/jobs/\(custom.idString)", ["retry_policy": ["delays_ms": [1000]]])
            #expect(patched["retry_policy"]?["delays_ms"] == [1000])
            #expect(patched["retry_policy"]?["max_age_ms"] == .null)
            let reset = try await api.patch("/v1/jobs/\(custom.idString)", ["retry_policy": nil])
            #expect(reset["retry_policy"] == plain["retry_policy"])

            for (policy, path) in [
                (["delays_ms": .array([JSONValue](repeating: 1000, count: 101))], "/retry_policy/delays_ms"),
                (["delays_ms": [1000, "soon"]], "/retry_policy/delays_ms/1"),
                (["max_age_ms": 99_999_999_999], "/retry_policy/max_age_ms"),
                (["delays_ms": [1], "multiplier": 3], "/retry_policy/multiplier"),
                (["retryable_statuses": [200]], "/retry_policy/retryable_statuses/0"),
                ("fast", "/retry_policy"),
            ] as [(JSONValue, String)] {
                let refused = try await api.post(
                    "/v1/jobs", ["name": "bad", "kind": "noop", "retry_policy": policy])
                #expect(refused.status == .unprocessableContent)
                let paths = refused["error"]?["details"]?.arrayValue?.compactMap { $0["path"]?.stringValue } ?? []
                #expect(paths.contains(path), "\(policy): \(refused.text)")
            }
        }
    }

    @Test func delayedDispatchCreatesScheduledRunsAtOnce() async throws {
        try await TestApp.run { admin in
            let api = try await TestApp.project(admin).api
            let source = try await api.post("/v1/event-sources", ["name": "later"])
            let job = try await api.post("/v1/jobs", ["name": "j", "kind": "noop"])
            _ = try await api.post(
                "/v1/event-sources/\(source.idString)/subscribe",
                ["target_type": "job", "target_id": .string(job.idString)])
            let soon = try await api.post("/v1/events/dispatch", ["source": "later", "delay_ms": 3_600_000])
            #expect(soon.status == .accepted && soon["dispatched"] == 1)
            let at = Timestamp.string(Date().addingTimeInterval(7200))
            let exact = try await api.post("/v1/events/dispatch", ["source": "later", "deliver_at": .string(at)])
            #expect(exact.status == .accepted)
            let now = try await api.post("/v1/events/dispatch", ["source": "later"])

            let scheduled = try await api.get("/v1/runs?status=scheduled").body?.arrayValue ?? []
            #expect(scheduled.count == 2)
            #expect(scheduled.allSatisfy { $0["status"] == "scheduled" && $0["attempt"] == 0 })
            #expect(scheduled.first?["deliver_at"] == .string(at))  // newest first: the deliver_at one
            let queued = try await api.get("/v1/runs?status=queued").body?.arrayValue ?? []
            #expect(queued.map { $0["event_id"] } == [now["event_id"]])
            #expect(try await api.get("/v1/runs?status=queued,scheduled").body?.arrayValue?.count == 3)

            // A scheduled run can be cancelled like a queued one.
            let first = try #require(scheduled.first?["id"]?.stringValue)
            #expect(try await api.post("/v1/runs/\(first)/cancel", [:])["status"] == "cancelled")

            // The source's own delay applies when a dispatch asks for none; PATCH null removes it.
            let patched = try await api.patch("/v1/event-sources/\(source.idString)", ["delivery_delay_ms": 60000])
            #expect(patched["delivery_delay_ms"] == 60000)
            let delayed = try await api.post("/v1/events/dispatch", ["source": "later"])
            let delayedRun = try await api.get("/v1/runs?event_id=\(delayed["event_id"]?.stringValue ?? "")")
            #expect(delayedRun.body?.arrayValue?.first?["status"] == "scheduled")
            let immediate = try await api.post("/v1/events/dispatch", ["source": "later", "delay_ms": 0])
            let immediateRun = try await api.get("/v1/runs?event_id=\(immediate["event_id"]?.stringValue ?? "")")
            #expect(immediateRun.body?.arrayValue?.first?["status"] == "queued")
            #expect(
                try await api.patch("/v1/event-sources/\(source.idString)", ["delivery_delay_ms": nil])[
                    "delivery_delay_ms"] == .null)

            for (body, path) in [
                (["source": "later", "delay_ms": -1], "/delay_ms"),
                (["source": "later", "delay_ms": 2_592_000_001], "/delay_ms"),
                (["source": "later", "deliver_at": "2026-13-01T00:00:00Z"], "/deliver_at"),
                (
                    [
                        "source": "later",
                        "deliver_at": .string(Timestamp.string(Date().addingTimeInterval(40 * 86400))),
                    ],
                    "/deliver_at"
                ),
                (["source": "later", "deliver_at": .string(at), "delay_ms": 5], "/delay_ms"),
            ] as [(JSONValue, String)] {
                let refused = try await api.post("/v1/events/dispatch", body)
                #expect(refused.status == .unprocessableContent)
                let paths = refused["error"]?["details"]?.arrayValue?.compactMap { $0["path"]?.stringValue } ?? []
                #expect(paths.contains(path), "\(body): \(refused.text)")
            }
            let badSource = try await api.patch("/v1/event-sources/\(source.idString)", ["delivery_delay_ms": "1s"])
            #expect(badSource.status == .unprocessableContent)
            #expect(try await api.get("/v1/runs?status=scheduled;drop").status == .badRequest)
        }
    }

    @Test func explainNamesTheFirstFailingPathOperatorAndValue() async throws {
        try await TestApp.run { admin in
            let api = try await TestApp.project(admin).api
            let source = try await api.post("/v1/event-sources", ["name": "orders"]).idString
            var subscriptions: [String: String] = [:]
            for (name, filter) in [
                ("big", ["detail": ["amount": [["numeric": [">", 100]]]]]),
                ("paid", ["status": ["paid"], "$headers": ["x-shop-topic": ["orders/paid"]]]),
                ("all", [:]),
            ] as [(String, JSONValue)] {
                let job = try await api.post("/v1/jobs", ["name": .string(name), "kind": "noop"]).idString
                subscriptions[name] = try await api.post(
                    "/v1/event-sources/\(source)/subscribe",
                    ["target_type": "job", "target_id": .string(job), "filter_expr": filter]
                ).idString
            }
            let payload: JSONValue = ["status": "paid", "detail": ["amount": 42]]
            let explained = try await api.post(
                "/v1/event-sources/\(source)/explain",
                ["payload": payload, "headers": ["X-Shop-Topic": "orders/paid"]])
            #expect(explained.status == .ok)
            #expect(explained["matched"] == 2)
            let byID = Dictionary(
                uniqueKeysWithValues: (explained["subscriptions"]?.arrayValue ?? []).map {
                    ($0["subscription_id"]?.stringValue ?? "", $0)
                })
            let big = try #require(byID[subscriptions["big"]!])
            #expect(big["matched"] == false)
            #expect(big["failure"]?["path"] == "detail.amount")
            #expect(big["failure"]?["operator"] == "numeric")
            #expect(big["failure"]?["actual"] == 42)
            #expect(byID[subscriptions["paid"]!]?["matched"] == true)
            #expect(byID[subscriptions["all"]!]?["failure"] == .null)

            // One subscription; a header missing is named as such.
            let one = try await api.post(
                "/v1/event-sources/\(source)/explain",
                ["payload": payload, "subscription_id": .string(subscriptions["paid"]!)])
            let only = try #require(one["subscriptions"]?.arrayValue)
            #expect(only.count == 1)
            #expect(only.first?["failure"]?["path"] == "$headers.x-shop-topic")
            #expect(only.first?["failure"]?["actual"] == .null)

            // The replay dry run explains too.
            let event = try await api.post("/v1/events/dispatch", ["source": "orders", "payload": payload])
            let eventID = try #require(event["event_id"]?.stringValue)
            let replay = try await api.post("/v1/events/\(eventID)/replay?dry_run=true&explain=true", [:])
            #expect(replay["dispatched"] == 0)
            #expect(replay["matches"]?.arrayValue?.count == 1)
            #expect(replay["explain"]?.arrayValue?.count == 3)
            #expect(replay["explain"]?.arrayValue?.filter { $0["matched"] == true }.count == 1)
            #expect(try await api.post("/v1/events/\(eventID)/replay?dry_run=true", [:])["explain"] == nil)

            // Hostile input: too many headers, and a payload whose explanation exceeds the work budget.
            var headers = JSONObject()
            for index in 0...64 { headers["x-h\(index)"] = "v" }
            let tooMany = try await api.post("/v1/event-sources/\(source)/explain", ["headers": .object(headers)])
            #expect(tooMany.status == .unprocessableContent)
            for index in 0..<12 {  // each one scans every name: 12 × 900 KB of text, more than the budget
                let wildcard = try await api.post("/v1/jobs", ["name": .string("wild-\(index)"), "kind": "noop"])
                _ = try await api.post(
                    "/v1/event-sources/\(source)/subscribe",
                    [
                        "target_type": "job", "target_id": .string(wildcard.idString),
                        "filter_expr": ["items": ["name": [["wildcard": .string("*a*b*c*d*e*\(index)")]]]],
                    ])
            }
            let items = JSONValue.array(
                (0..<6000).map { _ in ["name": .string(String(repeating: "a", count: 150))] })
            let expensive = try await api.post("/v1/event-sources/\(source)/explain", ["payload": ["items": items]])
            #expect(expensive.status == .unprocessableContent)
            #expect(expensive.errorCode == "work_budget_exceeded")
        }
    }

    @Test func formBodiesAreIngestedAsObjectsOfTheirFields() async throws {
        try await TestApp.run { admin in
            let api = try await TestApp.project(admin).api
            let source = try await api.post("/v1/event-sources", ["name": "twilio", "signature_scheme": "none"])
            let job = try await api.post("/v1/jobs", ["name": "sms", "kind": "noop"]).idString
            _ = try await api.post(
                "/v1/event-sources/\(source.idString)/subscribe",
                ["target_type": "job", "target_id": .string(job), "filter_expr": ["Body": [["prefix": "STOP"]]]])
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded; charset=utf-8"]
            let anonymous = api.withToken(nil)
            let stop = try await anonymous.request(
                .post, "/v1/ingest/\(source.idString)", rawBody: "From=%2B15551234&Body=STOP+now&Media=a&Media=b",
                headers: form)
            #expect(stop.status == .accepted && stop["dispatched"] == 1)
            let event = try await api.get("/v1/events/\(stop["event_id"]?.stringValue ?? "")")
            #expect(event["payload"] == ["From": "+15551234", "Body": "STOP now", "Media": ["a", "b"]])
            #expect(event["headers"]?["content-type"] == "application/x-www-form-urlencoded; charset=utf-8")
            let hello = try await anonymous.request(
                .post, "/v1/ingest/\(source.idString)", rawBody: "Body=hello", headers: form)
            #expect(hello["dispatched"] == 0)
            let malformed = try await anonymous.request(
                .post, "/v1/ingest/\(source.idString)", rawBody: "Body=%zz", headers: form)
            #expect(malformed.status == .badRequest && malformed.errorCode == "malformed_form")
            let manyFields = (0...1000).map { "f\($0)=1" }.joined(separator: "&")
            let tooMany = try await anonymous.request(
                .post, "/v1/ingest/\(source.idString)", rawBody: manyFields, headers: form)
            #expect(tooMany.status == .badRequest)
        }
    }
}
