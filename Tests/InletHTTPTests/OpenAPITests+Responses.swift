import Foundation
import HTTPTypes
import Inlet
import Testing

@testable import InletHTTP

extension OpenAPITests {
    /// Drives every documented operation through its happy path and typical errors; each response must have a
    /// documented status, `X-Request-Id`, and a body valid against the documented schema.
    @Test func realResponsesMatchTheDocument() async throws {
        try await TestApp.run { adminAPI in
            let documented = try await Self.servedDocument(adminAPI)
            let coverage = Coverage()
            let admin = ConformanceClient(api: adminAPI, documented: documented, coverage: coverage)
            try await admin.call(.get, "/healthz", expect: .ok)
            try await admin.call(.get, "/readyz", expect: .ok)
            try await admin.call(.get, "/openapi.json", expect: .ok)
            try await admin.call(.get, "/metrics", expect: .ok)

            // Projects and keys.
            let projectID = try await admin.call(.post, "/v1/projects", json: ["name": "openapi"], expect: .created)
                .idString
            try await admin.call(.post, "/v1/projects", json: ["name": "openapi-2"], expect: .created)
            try await admin.call(.post, "/v1/projects", json: ["name": ""], expect: .unprocessableContent)
            try await Self.expectNextLink(admin.call(.get, "/v1/projects?limit=1", expect: .ok))
            try await admin.call(.get, "/v1/projects/\(projectID)", expect: .ok)
            let key = try await admin.call(
                .post, "/v1/projects/\(projectID)/api-keys", json: ["name": "conformance"], expect: .created)
            let spare = try await admin.call(.post, "/v1/projects/\(projectID)/api-keys", expect: .created)
            try await Self.expectNextLink(admin.call(.get, "/v1/projects/\(projectID)/api-keys?limit=1", expect: .ok))
            try await admin.call(.delete, "/v1/projects/\(projectID)/api-keys/\(spare.idString)", expect: .noContent)
            let longName = JSONValue.string(String(repeating: "e\u{301}", count: 100))  // 100 graphemes, 200 code points
            try await admin.call(
                .post, "/v1/projects/\(projectID)/api-keys", json: ["name": longName], expect: .unprocessableContent)
            try await admin.call(.get, "/v1/jobs", expect: .unprocessableContent)  // an admin key must name the project
            let api = admin.withToken(key["token"]?.stringValue)
            try await api.call(.post, "/v1/projects", json: ["name": "not mine"], expect: .forbidden)
            try await api.call(.get, "/v1/projects", expect: .ok)
            try await api.call(.get, "/v1/projects/\(UUID())", expect: .notFound)

            // Jobs.
            let noop = try await api.call(.post, "/v1/jobs", json: ["name": "noop", "kind": "noop"], expect: .created)
                .idString
            let http = try await api.call(
                .post, "/v1/jobs",
                json: ["name": "hook", "kind": "http", "config": ["url": "http://127.0.0.1:9/hook", "method": "put"]],
                expect: .created
            ).idString
            try await Self.expectNextLink(api.call(.get, "/v1/jobs?limit=1", expect: .ok))
            try await api.call(.get, "/v1/jobs/\(http)?project_id=\(projectID)", expect: .ok)
            try await api.call(
                .patch, "/v1/jobs/\(http)", json: ["max_attempts": 3, "config": ["url": "https://example.com/x"]],
                expect: .ok)
            try await api.call(.post, "/v1/jobs", json: ["name": "noop", "kind": "noop"], expect: .conflict)
            try await api.call(
                .patch, "/v1/jobs/\(http)", json: ["max_concurrency": 2, "rate_limit": ["per_second": 0.5]], expect: .ok
            )
            try await api.call(.patch, "/v1/jobs/\(http)", json: ["max_concurrency": 0], expect: .unprocessableContent)
            try await api.call(.post, "/v1/jobs/\(http)/close-circuit", expect: .ok)
            try await api.call(.post, "/v1/jobs/\(UUID())/close-circuit", expect: .notFound)

            // Project limits: an admin sets them, the project reads them.
            try await api.call(.get, "/v1/projects/\(projectID)/limits", expect: .ok)
            try await api.call(.patch, "/v1/projects/\(projectID)/limits", json: ["weight": 2], expect: .forbidden)
            try await admin.call(.patch, "/v1/projects/\(projectID)/limits", json: ["weight": 2], expect: .ok)
            try await admin.call(
                .patch, "/v1/projects/\(projectID)/limits", json: ["weight": 0], expect: .unprocessableContent)
            try await api.call(.post, "/v1/jobs", json: ["name": "ftp", "kind": "ftp"], expect: .unprocessableContent)
            let rotatedJob = try await api.call(
                .post, "/v1/jobs/\(http)/rotate-secret", json: ["grace_period_seconds": 60], expect: .ok)
            #expect(rotatedJob["signing_secret"]?.stringValue?.hasPrefix("whsec_") == true)
            try await api.call(.post, "/v1/jobs/\(http)/rotate-secret", expect: .ok)
            try await api.call(
                .post, "/v1/jobs/\(http)/rotate-secret", json: ["grace_period_seconds": -1],
                expect: .unprocessableContent)
            try await api.call(
                .patch, "/v1/jobs/\(http)",
                json: ["retry_policy": ["delays_ms": [1000, 60000], "max_age_ms": 3_600_000]],
                expect: .ok)
            try await api.call(
                .post, "/v1/jobs",
                json: ["name": "retries", "kind": "noop", "retry_policy": ["initial_delay_ms": 0]],
                expect: .unprocessableContent)

            // Event sources.
            let signed = try await api.call(
                .post, "/v1/event-sources",
                json: ["name": "github", "signature_header": "X-Hub-Signature-256", "description": "pushes"],
                expect: .created)
            #expect(signed["signing_secret"]?.stringValue != nil)
            let source = try await api.call(
                .post, "/v1/event-sources",
                json: ["project_id": .string(projectID), "name": "orders", "schema": ["required": ["type"]]],
                expect: .created
            ).idString
            try await Self.expectNextLink(api.call(.get, "/v1/event-sources?limit=1", expect: .ok))
            try await api.call(.get, "/v1/event-sources/\(source)?project_id=\(projectID)", expect: .ok)
            try await api.call(.patch, "/v1/event-sources/\(source)", json: ["description": nil], expect: .ok)
            try await api.call(
                .post, "/v1/event-sources/\(signed.idString)/rotate-secret", json: ["grace_period_seconds": 60],
                expect: .ok)
            try await api.call(.post, "/v1/event-sources/\(signed.idString)/rotate-secret", expect: .ok)
            try await api.call(.post, "/v1/event-sources/\(source)/rotate-secret", expect: .conflict)
            try await api.call(.post, "/v1/event-sources", json: ["name": "orders"], expect: .conflict)
            try await api.call(
                .post, "/v1/event-sources", json: ["name": "x", "schema": ["type": 5]], expect: .unprocessableContent)
            try await api.call(
                .post, "/v1/event-sources", json: ["name": "x", "idempotency_header": "has space"],
                expect: .unprocessableContent)

            // Subscriptions.
            let subscribe = "/v1/event-sources/\(source)/subscribe"
            let subscription = try await api.call(
                .post, subscribe,
                json: ["target_type": "job", "target_id": .string(noop), "filter_expr": ["type": ["order.created"]]],
                expect: .created
            ).idString
            try await api.call(
                .post, subscribe, json: ["target_type": "job", "target_id": .string(http)], expect: .created)
            try await api.call(
                .post, subscribe, json: ["target_type": "job", "target_id": .string(noop)], expect: .conflict)
            try await api.call(
                .post, subscribe, json: ["target_type": "job", "target_id": .string(UUID().uuidString)],
                expect: .unprocessableContent)
            try await Self.expectNextLink(
                api.call(.get, "/v1/event-sources/\(source)/subscriptions?limit=1", expect: .ok))
            let one = "/v1/event-sources/\(source)/subscriptions/\(subscription)"
            try await api.call(.get, one, expect: .ok)
            try await api.call(.patch, one, json: ["filter_expr": nil, "enabled": true], expect: .ok)
            try await api.call(.patch, one, json: ["filter_expr": ["a": [["bogus": 1]]]], expect: .unprocessableContent)
            let explain = "/v1/event-sources/\(source)/explain"
            let explained = try await api.call(
                .post, explain, json: ["payload": ["type": "order.updated"], "headers": ["X-Shop-Topic": "orders"]],
                expect: .ok)
            #expect(explained["subscriptions"]?.arrayValue?.count == 2)
            try await api.call(
                .post, explain, json: ["payload": [:], "subscription_id": .string(subscription)], expect: .ok)
            try await api.call(.post, explain, json: ["headers": ["x": 1]], expect: .unprocessableContent)
            try await api.call(
                .post, explain, json: ["subscription_id": .string(UUID().uuidString)], expect: .notFound)

            // Dispatch, events and runs.
            let order: JSONValue = ["source": "orders", "payload": ["type": "order.created"]]
            let idempotency: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "order-1"]
            let event = try await api.call(
                .post, "/v1/events/dispatch", json: order, headers: idempotency, expect: .accepted)
            let repeated = try await api.call(
                .post, "/v1/events/dispatch", json: order, headers: idempotency, expect: .accepted)
            #expect(repeated["duplicate"] == true)
            try await api.call(
                .post, "/v1/events/dispatch", json: ["source": "orders", "payload": [:]], expect: .unprocessableContent)
            try await api.call(.post, "/v1/events/dispatch", json: ["source": "nope"], expect: .notFound)
            let eventID = try #require(event["event_id"]?.stringValue)
            try await api.call(
                .post, "/v1/events/dispatch", json: ["source": "orders", "payload": ["type": "x"]], expect: .accepted)
            try await Self.expectNextLink(api.call(.get, "/v1/events?source=orders&limit=1", expect: .ok))
            try await api.call(.get, "/v1/events?source=nope", expect: .notFound)
            try await api.call(.get, "/v1/events?source=%00", expect: .notFound)
            try await api.call(.post, "/v1/events/dispatch", json: ["source": "a\u{0}"], expect: .unprocessableContent)
            let batch = try await api.call(
                .post, "/v1/events/dispatch/batch",
                json: ["events": [order, ["source": "nope"], ["source": "orders", "payload": [:]]]], expect: .ok)
            #expect(batch["accepted"] == 1 && batch["refused"] == 2)
            try await api.call(.post, "/v1/events/dispatch/batch", json: ["events": []], expect: .unprocessableContent)
            try await api.call(.get, "/v1/events/\(eventID)", expect: .ok)
            try await api.call(.post, "/v1/events/\(eventID)/replay?dry_run=true", expect: .ok)
            try await api.call(.post, "/v1/events/\(eventID)/replay?dry_run=true&explain=true", expect: .ok)
            try await api.call(
                .post, "/v1/events/dispatch",
                json: ["source": "orders", "payload": ["type": "order.created"], "delay_ms": 600_000],
                expect: .accepted)
            let scheduled = try await api.call(.get, "/v1/runs?status=scheduled,dead", expect: .ok)
            #expect(scheduled.body?.arrayValue?.first?["deliver_at"]?.stringValue != nil)
            try await api.call(
                .post, "/v1/events/dispatch", json: ["source": "orders", "deliver_at": "tomorrow"],
                expect: .unprocessableContent)
            try await api.call(.get, "/v1/runs?status=queued,queued", expect: .badRequest)
            let range: JSONValue = ["from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z", "limit": 1]
            let replayed = try await api.call(
                .post, "/v1/event-sources/\(source)/replay", json: range.adding("dry_run", true), expect: .ok)
            #expect(replayed["next_after"]?.stringValue != nil)
            try await api.call(.post, "/v1/event-sources/\(source)/replay", json: range, expect: .accepted)
            try await api.call(
                .post, "/v1/event-sources/\(source)/replay",
                json: ["from": "2001-01-01T00:00:00Z", "to": "2000-01-01T00:00:00Z"],
                expect: .unprocessableContent)
            try await api.call(
                .post, "/v1/jobs/\(noop)/retry-dead", json: ["since": "2026-01-01T00:00:00Z"], expect: .ok)
            try await api.call(.post, "/v1/jobs/\(noop)/retry-dead", expect: .ok)
            try await api.call(.post, "/v1/jobs/\(noop)/retry-dead", json: ["limit": 0], expect: .unprocessableContent)
            try await api.call(.post, "/v1/events/\(eventID)/replay", expect: .accepted)
            let runs = try await api.call(.get, "/v1/runs?event_id=\(eventID)&status=queued&limit=1", expect: .ok)
            try Self.expectNextLink(runs)
            let run = try #require(runs.body?.arrayValue?.first?["id"]?.stringValue)
            try await api.call(.get, "/v1/runs/\(run)", expect: .ok)
            try await api.call(.post, "/v1/runs/\(run)/retry", expect: .conflict)
            try await api.call(.post, "/v1/runs/\(run)/cancel", expect: .ok)
            try await api.call(.post, "/v1/runs/\(run)/retry", expect: .ok)
            try await api.call(.get, "/v1/runs?status=sleeping", expect: .badRequest)
            let stats = try await api.call(.get, "/v1/stats", expect: .ok)
            #expect(stats["jobs"]?.arrayValue?.isEmpty == false)
            try await api.call(
                .get, "/v1/events?via=api&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z", expect: .ok)
            try await api.call(.get, "/v1/events?via=pigeon", expect: .badRequest)

            // Ingest: an unknown source is a 404 (whether or not ingest is routed yet).
            try await api.withToken(nil).call(.post, "/v1/ingest/\(UUID())", json: [:], expect: .notFound)

            // Errors every JSON route shares.
            try await api.call(.post, "/v1/jobs", rawBody: "{", expect: .badRequest)
            try await api.call(
                .post, "/v1/jobs", rawBody: "{}", headers: [.contentType: "text/plain"], expect: .unsupportedMediaType)
            try await api.call(
                .post, "/v1/jobs", json: ["name": "x", "kind": "noop", "colour": "red"], expect: .unprocessableContent)
            try await api.call(.get, "/v1/jobs?limit=0", expect: .badRequest)
            try await api.call(.get, "/v1/jobs/\(UUID())", expect: .notFound)
            try await api.call(.get, "/v1/jobs/not-a-uuid", expect: .notFound)
            let large = #"{"source":"orders","payload":""# + String(repeating: "a", count: 1_100_000) + #""}"#
            try await api.call(.post, "/v1/events/dispatch", rawBody: large, expect: .contentTooLarge)

            // Deletions.
            try await api.call(.delete, "/v1/jobs/\(noop)", expect: .conflict)
            try await api.call(.delete, one, expect: .noContent)
            try await api.call(.delete, one, expect: .notFound)
            try await api.call(.delete, "/v1/jobs/\(noop)", expect: .noContent)
            try await api.call(.delete, "/v1/event-sources/\(source)", expect: .noContent)

            let missed = Set(documented.operations).subtracting(coverage.operations)
            #expect(missed.isEmpty, "operations no request reached: \(missed)")
        }
    }

    static func expectNextLink(_ response: APIResponse, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let link = try #require(response.headers[.link], "no Link header", sourceLocation: sourceLocation)
        #expect(link.hasSuffix(#">; rel="next""#) && link.contains("after="), sourceLocation: sourceLocation)
    }
}
