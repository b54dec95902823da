import Foundation
import HTTPTypes
import Inlet
import Testing

@Suite struct DispatchAPITests {
    /// A source with subscriptions: three that match `type: order.created`, one that does not, one disabled,
    /// and one whose job is disabled.
    static func routedSource(_ api: APITestClient) async throws -> (source: String, jobs: [String]) {
        let source = try await api.post(
            "/v1/event-sources",
            [
                "name": "orders",
                "schema": ["type": "object", "required": ["type"], "properties": ["amount": ["type": "integer"]]],
            ]
        ).idString
        var jobs: [String] = []
        for index in 0..<6 {
            jobs.append(try await api.post("/v1/jobs", ["name": .string("job-\(index)"), "kind": "noop"]).idString)
        }
        let filters: [JSONValue] = [
            [:], ["type": ["order.created"]], ["type": [["prefix": "order."]], "amount": [["numeric": [">", 10]]]],
            ["type": ["order.cancelled"]], ["type": ["order.created"]], ["type": ["order.created"]],
        ]
        for (index, job) in jobs.enumerated() {
            let subscription = try await api.post(
                "/v1/event-sources/\(source)/subscribe",
                [
                    "target_type": "job", "target_id": .string(job), "filter_expr": filters[index],
                    "enabled": .bool(index != 4),
                ])
            try #require(subscription.status == .created, "\(subscription.text)")
        }
        #expect(try await api.patch("/v1/jobs/\(jobs[5])", ["enabled": false]).status == .ok)
        return (source, jobs)
    }

    @Test func anEventBecomesExactlyTheMatchingRuns() async throws {
        try await TestApp.run { admin in
            let api = try await TestApp.project(admin).api
            let (_, jobs) = try await Self.routedSource(api)
            let response = try await api.post(
                "/v1/events/dispatch", ["source": "orders", "payload": ["type": "order.created", "amount": 25]])
            #expect(response.status == .accepted, "\(response.text)")
            #expect(response["dispatched"] == 3)
            #expect(response["source"] == "orders")
            #expect(response["duplicate"] == false)
            let eventID = try #require(response["event_id"]?.stringValue)
            let runs = try await api.get("/v1/runs?event_id=\(eventID)")
            let runJobs = Set(runs.body?.arrayValue?.compactMap { $0["job_id"]?.stringValue } ?? [])
            #expect(runJobs == Set(jobs[0...2]))
            #expect(runs.body?.arrayValue?.allSatisfy { $0["status"] == "queued" && $0["attempt"] == 0 } == true)
            let event = try await api.get("/v1/events/\(eventID)")
            #expect(event["payload"] == ["type": "order.created", "amount": 25])
            #expect(event["dispatched"] == 3)
            #expect(event["via"] == "api")

            // By id as well as by name; an event no subscription matches is still stored.
            let other = try await api.post(
                "/v1/events/dispatch",
                ["source": .string(event["source_id"]!.stringValue!), "payload": ["type": "other"]])
            #expect(other["dispatched"] == 1)
        }
    }

    @Test func dispatchErrors() async throws {
        try await TestApp.run { admin in
            let api = try await TestApp.project(admin).api
            let (source, _) = try await Self.routedSource(api)
            let invalid = try await api.post("/v1/events/dispatch", ["source": "orders", "payload": ["amount": "x"]])
            #expect(invalid.status == .unprocessableContent)
            let details = invalid.body?["error"]?["details"]?.arrayValue ?? []
            #expect(details.contains { $0["path"] == "/amount" && $0["keyword"] == "type" })
            #expect(details.contains { $0["keyword"] == "required" })
            #expect(try await api.post("/v1/events/dispatch", ["source": "nope", "payload": [:]]).status == .notFound)
            #expect(try await api.post("/v1/events/dispatch", ["payload": [:]]).status == .unprocessableContent)
            #expect(try await api.patch("/v1/event-sources/\(source)", ["enabled": false]).status == .ok)
            let disabled = try await api.post(
                "/v1/events/dispatch", ["source": "orders", "payload": ["type": "order.created"]])
            #expect(disabled.status == .conflict)
            let nul = try await api.request(
                .post, "/v1/events/dispatch", rawBody: #"{"source":"x","payload":{"a":"\u0000"}}"#)
            #expect(nul.status.code < 500)
            #expect(try await api.get("/v1/events").body?.arrayValue?.isEmpty == true)
        }
    }

    @Test func concurrentIdenticalDispatchesCreateOneEvent() async throws {
        try await TestApp.run { admin in
            let api = try await TestApp.project(admin).api
            _ = try await Self.routedSource(api)
            let responses = try await withThrowingTaskGroup(of: APIResponse.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        try await api.request(
                            .post, "/v1/events/dispatch",
                            json: ["source": "orders", "payload": ["type": "order.created"]],
                            headers: [.init("Idempotency-Key")!: "order-1001"])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(responses.allSatisfy { $0.status == .accepted })
            #expect(Set(responses.compactMap { $0["event_id"]?.stringValue }).count == 1)
            #expect(responses.filter { $0["duplicate"] == false }.count == 1)
            #expect(responses.allSatisfy { $0["dispatched"] == 2 })
            #expect(try await api.get("/v1/events").body?.arrayValue?.count == 1)
            #expect(try await api.get("/v1/runs").body?.arrayValue?.count == 2)
        }
    }

    @Test func changesThroughAnotherNodeAreSeenByTheNextDispatch() async throws {
        try await TestApp.run { admin in
            let project = try await TestApp.project(admin)
            let api = project.api
            let source = try await api.post("/v1/event-sources", ["name": "cache"]).idString
            let job = try await api.post("/v1/jobs", ["name": "j", "kind": "noop"]).idString
            let subscription = try await api.post(
                "/v1/event-sources/\(source)/subscribe",
                ["target_type": "job", "target_id": .string(job), "filter_expr": ["k": ["a"]]]
            ).idString
            #expect(
                try await api.post("/v1/events/dispatch", ["source": "cache", "payload": ["k": "a"]])["dispatched"] == 1
            )
            // A second, independent application (another server node) changes the filter.
            try await TestApp.run { otherNode in
                let other = otherNode.withToken(api.token)
                let patched = try await other.patch(
                    "/v1/event-sources/\(source)/subscriptions/\(subscription)", ["filter_expr": ["k": ["b"]]])
                #expect(patched.status == .ok)
            }
            #expect(
                try await api.post("/v1/events/dispatch", ["source": "cache", "payload": ["k": "a"]])["dispatched"] == 0
            )
            #expect(
                try await api.post("/v1/events/dispatch", ["source": "cache", "payload": ["k": "b"]])["dispatched"] == 1
            )
        }
    }

    @Test func headerFiltersRouteOnProviderEventTypes() async throws {
        try await TestApp.run { admin in
            let api = try await TestApp.project(admin).api
            let source = try await api.post("/v1/event-sources", ["name": "github"]).idString
            let job = try await api.post("/v1/jobs", ["name": "push", "kind": "noop"]).idString
            let subscribed = try await api.post(
                "/v1/event-sources/\(source)/subscribe",
                [
                    "target_type": "job", "target_id": .string(job),
                    "filter_expr": ["$headers": ["x-github-event": ["push"]]],
                ])
            #expect(subscribed.status == .created, "\(subscribed.text)")
            let push = try await api.request(
                .post, "/v1/events/dispatch", json: ["source": "github", "payload": [:]],
                headers: [.init("X-GitHub-Event")!: "push"])
            #expect(push["dispatched"] == 1)
            let issue = try await api.request(
                .post, "/v1/events/dispatch", json: ["source": "github", "payload": [:]],
                headers: [.init("X-GitHub-Event")!: "issues"])
            #expect(issue["dispatched"] == 0)
            let stored = try await api.get("/v1/events/\(push["event_id"]!.stringValue!)")
            #expect(stored["headers"]?["x-github-event"] == "push")
        }
    }

    @Test func cancelRetryAndReplay() async throws {
        try await TestApp.run { admin in
            let api = try await TestApp.project(admin).api
            _ = try await Self.routedSource(api)
            let dispatched = try await api.post(
                "/v1/events/dispatch", ["source": "orders", "payload": ["type": "order.created"]])
            let eventID = dispatched["event_id"]!.stringValue!
            let runs = try await api.get("/v1/runs?event_id=\(eventID)").body?.arrayValue ?? []
            let run = try #require(runs.first?["id"]?.stringValue)

            #expect(try await api.request(.post, "/v1/runs/\(run)/retry").status == .conflict)
            let cancelled = try await api.request(.post, "/v1/runs/\(run)/cancel")
            #expect(cancelled["status"] == "cancelled")
            #expect(try await api.request(.post, "/v1/runs/\(run)/cancel").status == .conflict)
            let retried = try await api.request(.post, "/v1/runs/\(run)/retry")
            #expect(retried["status"] == "queued")
            #expect(retried["attempts"] == [])
            #expect(try await api.get("/v1/runs?status=cancelled&event_id=\(eventID)").body?.arrayValue?.count == 0)
            #expect(try await api.get("/v1/runs?status=bogus").status == .badRequest)

            let dryRun = try await api.request(.post, "/v1/events/\(eventID)/replay?dry_run=true")
            #expect(dryRun.status == .ok)
            #expect(dryRun["matches"]?.arrayValue?.count == 2)
            #expect(dryRun["dispatched"] == 0)
            #expect(try await api.get("/v1/runs?event_id=\(eventID)").body?.arrayValue?.count == 2)
            let replayed = try await api.request(.post, "/v1/events/\(eventID)/replay")
            #expect(replayed.status == .accepted)
            #expect(replayed["dispatched"] == 2)
            #expect(try await api.get("/v1/runs?event_id=\(eventID)").body?.arrayValue?.count == 4)
        }
    }
}
