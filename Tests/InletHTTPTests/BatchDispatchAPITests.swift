import Foundation
import HTTPTypes
import Inlet
import Testing

/// `POST /v1/events/dispatch/batch`: one result per event, in order; one event's refusal never fails another.
@Suite struct BatchDispatchAPITests {
    @Test func eachEventIsJudgedAsASingleDispatchAndTheAcceptedOnesAreStored() async throws {
        try await TestApp.run { admin in
            let project = try await TestApp.project(admin, name: "batch-mixed")
            let api = project.api
            let (source, _) = try await DispatchAPITests.routedSource(api)
            let batch: JSONValue = [
                "events": [
                    ["source": "orders", "payload": ["type": "order.created", "amount": 42]],
                    ["source": "orders", "payload": ["amount": "not a number"]],
                    ["source": "no-such-source", "payload": ["type": "order.created"]],
                    ["source": .string(source), "payload": ["type": "order.created"], "idempotency_key": "k-1"],
                    ["source": "orders", "payload": ["type": "order.created"], "idempotency_key": "k-1"],
                    ["source": "orders", "colour": "blue"],
                    "not an event",
                    ["source": "orders", "payload": ["type": "order.cancelled"], "delay_ms": 60_000],
                ]
            ]
            let response = try await api.post("/v1/events/dispatch/batch", batch)
            #expect(response.status == .ok, "\(response.text)")
            let results = try #require(response.body?["results"]?.arrayValue)
            #expect(results.count == 8)
            #expect(response.body?["accepted"] == 4 && response.body?["refused"] == 4)

            #expect(results[0]["status"] == "dispatched" && results[0]["dispatched"] == 3)
            #expect(results[1]["status"] == "refused" && results[1]["http_status"] == 422)
            #expect(results[1]["error"]?["code"] == "validation_failed")
            #expect(results[1]["error"]?["details"]?.arrayValue?.isEmpty == false)
            #expect(results[2]["error"]?["code"] == "not_found" && results[2]["http_status"] == 404)
            #expect(results[3]["status"] == "dispatched")
            // A repeated key, even within the batch, answers the original.
            #expect(results[4]["status"] == "duplicate" && results[4]["duplicate"] == true)
            #expect(results[4]["event_id"] == results[3]["event_id"])
            #expect(results[5]["error"]?["code"] == "validation_failed")
            #expect(results[5]["error"]?["details"]?.arrayValue?.first?["path"] == "/events/5/colour")
            #expect(results[6]["error"]?["code"] == "validation_failed")
            #expect(results[7]["status"] == "dispatched" && results[7]["dispatched"] == 2)

            let events = try #require(try await api.get("/v1/events").body?.arrayValue)
            #expect(events.count == 3)
            let stored = Set(events.compactMap { $0["id"]?.stringValue })
            #expect(stored == Set([0, 3, 7].compactMap { results[$0]["event_id"]?.stringValue }))
            let delayed = try await api.get("/v1/runs?status=scheduled").body?.arrayValue
            #expect(delayed?.count == 2)

            // The same key in a later batch is still a duplicate of the first event.
            let again = try await api.post(
                "/v1/events/dispatch/batch",
                ["events": [["source": "orders", "payload": ["type": "order.created"], "idempotency_key": "k-1"]]])
            #expect(again.body?["results"]?.arrayValue?.first?["event_id"] == results[3]["event_id"])
            #expect(again.body?["results"]?.arrayValue?.first?["status"] == "duplicate")
        }
    }

    @Test func aWrongEnvelopeIsRefusedWholeAndStoresNothing() async throws {
        try await TestApp.run { admin in
            let project = try await TestApp.project(admin, name: "batch-envelope")
            let api = project.api
            _ = try await api.post("/v1/event-sources", ["name": "orders"])
            let one: JSONValue = ["source": "orders"]
            let bad: [JSONValue] = [
                [:], ["events": []], ["events": "orders"], ["events": [one], "extra": true],
                ["events": .array(Array(repeating: one, count: 101))],
            ]
            for body in bad {
                let response = try await api.post("/v1/events/dispatch/batch", body)
                #expect(response.status == .unprocessableContent, "\(body): \(response.text)")
                #expect(response.errorCode == "validation_failed")
            }
            let malformed = try await api.request(
                .post, "/v1/events/dispatch/batch", rawBody: #"{"events": [{"source": "orders", "payload": {]}"#,
                headers: [.contentType: "application/json"])
            #expect(malformed.status == .badRequest)
            #expect(try await api.get("/v1/events").body?.arrayValue?.isEmpty == true)

            let full = try await api.post(
                "/v1/events/dispatch/batch", ["events": .array(Array(repeating: one, count: 100))])
            #expect(full.body?["accepted"] == 100)
            #expect(try await api.get("/v1/events?limit=200").body?.arrayValue?.count == 100)
        }
    }

    @Test func aProjectKeyCannotDispatchABatchIntoAnotherProject() async throws {
        try await TestApp.run { admin in
            let victim = try await TestApp.project(admin, name: "batch-victim")
            let attacker = try await TestApp.project(admin, name: "batch-attacker")
            _ = try await victim.api.post("/v1/event-sources", ["name": "orders"])
            let response = try await attacker.api.post(
                "/v1/events/dispatch/batch", ["project_id": .string(victim.id), "events": [["source": "orders"]]])
            #expect(response.status == .notFound)
            // Without a project_id the attacker's own project is meant: the victim's source is not found there.
            let own = try await attacker.api.post("/v1/events/dispatch/batch", ["events": [["source": "orders"]]])
            #expect(own.body?["results"]?.arrayValue?.first?["error"]?["code"] == "not_found")
            #expect(try await victim.api.get("/v1/events").body?.arrayValue?.isEmpty == true)
            // An admin names the project.
            let byAdmin = try await admin.post(
                "/v1/events/dispatch/batch", ["project_id": .string(victim.id), "events": [["source": "orders"]]])
            #expect(byAdmin.body?["accepted"] == 1)
        }
    }

    /// Runs of one ordering key created by one batch wait for each other in the batch's order, as if dispatched
    /// one by one (the migration's trigger blocks a keyed run behind a live run of its key).
    @Test func eventsWithOneOrderingKeyQueueBehindEachOtherInBatchOrder() async throws {
        try await TestApp.run { admin in
            let project = try await TestApp.project(admin, name: "batch-ordering")
            let api = project.api
            let source = try await api.post("/v1/event-sources", ["name": "orders"]).idString
            let job = try await api.post("/v1/jobs", ["name": "ordered", "kind": "noop"]).idString
            _ = try await api.post(
                "/v1/event-sources/\(source)/subscribe", ["target_type": "job", "target_id": .string(job)])
            let response = try await api.post(
                "/v1/events/dispatch/batch",
                [
                    "events": [
                        ["source": "orders", "payload": ["n": 1], "ordering_key": "customer-7"],
                        ["source": "orders", "payload": ["n": 2], "ordering_key": "customer-7"],
                        ["source": "orders", "payload": ["n": 3]],
                        ["source": "orders", "payload": ["n": 4], "ordering_key": "customer-7"],
                        ["source": "orders", "payload": ["n": 5], "ordering_key": ""],
                    ]
                ])
            let results = try #require(response.body?["results"]?.arrayValue)
            #expect(
                results.map { $0["status"]?.stringValue } == [
                    "dispatched", "dispatched", "dispatched", "dispatched", "refused",
                ])
            var blocked: [Bool] = []
            for index in 0..<4 {
                let event = try #require(results[index]["event_id"]?.stringValue)
                let run = try #require(try await api.get("/v1/runs?event_id=\(event)").body?.arrayValue?.first)
                #expect(run["ordering_key"] == (index == 2 ? .null : "customer-7"))
                blocked.append(run["ordering_blocked"]?.boolValue ?? false)
            }
            #expect(blocked == [false, true, false, true])
        }
    }

    /// One batch creates at most 10 × `max_runs_per_event` runs: the events past that are refused, their neighbours
    /// before it stored (one statement stays small, whatever the fan-out of each event).
    @Test func aBatchCreatesAtMostTenEventsWorthOfTheFanOutQuota() async throws {
        try await TestApp.run { admin in
            let project = try await TestApp.project(admin, name: "batch-fan-out")
            _ = try await admin.patch("/v1/projects/\(project.id)/limits", ["max_runs_per_event": 2])
            let api = project.api
            let source = try await api.post("/v1/event-sources", ["name": "orders"]).idString
            for index in 0..<2 {
                let job = try await api.post("/v1/jobs", ["name": .string("fan-\(index)"), "kind": "noop"]).idString
                _ = try await api.post(
                    "/v1/event-sources/\(source)/subscribe", ["target_type": "job", "target_id": .string(job)])
            }
            let event: JSONValue = ["source": "orders", "payload": ["n": 1]]
            let response = try await api.post(
                "/v1/events/dispatch/batch", ["events": .array(Array(repeating: event, count: 12))])
            let results = try #require(response.body?["results"]?.arrayValue)
            #expect(results.prefix(10).allSatisfy { $0["status"] == "dispatched" && $0["dispatched"] == 2 })
            #expect(results.suffix(2).allSatisfy { $0["error"]?["code"] == "validation_failed" })
            #expect(results.last?["error"]?["message"]?.stringValue?.contains("max_runs_per_event") == true)
            #expect(try await api.get("/v1/runs?limit=100").body?.arrayValue?.count == 20)
        }
    }

    /// A batch names at most 10 event sources (each looked up once): events naming an 11th are refused, whether
    /// their source exists or not, and so are events naming an unknown source, however often it repeats.
    @Test func aBatchNamesAtMostTenEventSources() async throws {
        try await TestApp.run { admin in
            let project = try await TestApp.project(admin, name: "batch-sources")
            let api = project.api
            _ = try await api.post("/v1/event-sources", ["name": "orders"])
            var events: [JSONValue] = [["source": "orders"]]
            for index in 0..<9 { events.append(["source": .string("unknown-\(index)")]) }
            events += [["source": "unknown-0"], ["source": "unknown-10"], ["source": "orders"]]
            let response = try await api.post("/v1/events/dispatch/batch", ["events": .array(events)])
            let results = try #require(response.body?["results"]?.arrayValue)
            #expect(results.count == 13)
            #expect(results[0]["status"] == "dispatched" && results[12]["status"] == "dispatched")
            #expect(results[1...10].allSatisfy { $0["error"]?["code"] == "not_found" })
            #expect(results[11]["error"]?["code"] == "validation_failed")
            #expect(results[11]["error"]?["message"]?.stringValue?.contains("at most 10 event sources") == true)
        }
    }
}
