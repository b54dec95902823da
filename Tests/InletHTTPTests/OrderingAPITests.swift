import Foundation
import HTTPTypes
import Inlet
import InletTestSupport
import Testing

/// Ordering per key through the API (no worker): keys on dispatch and from subscription paths, which runs wait,
/// what releases them, replays, and the 422s. Each test works in its own project.
@Suite struct OrderingAPITests {
    /// The runs of `job`, oldest first.
    func runs(_ api: APITestClient, job: String) async throws -> [JSONValue] {
        Array((try await api.get("/v1/runs?job_id=\(job)&limit=100").body?.arrayValue ?? []).reversed())
    }

    @Test func runsOfOneKeyWaitBehindTheirHeadAndCancellingItReleasesTheNext() async throws {
        try await TestApp.run { admin in
            let api = try await TestApp.project(admin).api
            let source = try await api.post("/v1/event-sources", ["name": "orders"]).idString
            let job = try await api.post("/v1/jobs", ["name": "j", "kind": "noop"]).idString
            _ = try await api.post(
                "/v1/event-sources/\(source)/subscribe", ["target_type": "job", "target_id": .string(job)])
            for key: JSONValue in ["a", "a", "b", "a", nil] {
                let body: JSONValue = key.isNull ? ["source": "orders"] : ["source": "orders", "ordering_key": key]
                #expect(try await api.post("/v1/events/dispatch", body)["dispatched"] == 1)
            }
            var all = try await runs(api, job: job)
            #expect(all.map { $0["ordering_key"] } == ["a", "a", "b", "a", .null])
            #expect(all.map { $0["ordering_blocked"] } == [false, true, false, true, false])
            #expect(all.allSatisfy { $0["status"] == "queued" })

            // A waiting run can be cancelled; the head stays.
            let third = try #require(all[3]["id"]?.stringValue)
            #expect(try await api.post("/v1/runs/\(third)/cancel", [:])["status"] == "cancelled")
            let head = try #require(all[0]["id"]?.stringValue)
            #expect(try await api.post("/v1/runs/\(head)/cancel", [:])["ordering_blocked"] == false)
            all = try await runs(api, job: job)
            #expect(all.map { $0["status"] } == ["cancelled", "queued", "queued", "cancelled", "queued"])
            #expect(all.map { $0["ordering_blocked"] } == [false, false, false, false, false])

            // A retried run re-enters its key at its original place: behind the head, ahead of later runs.
            _ = try await api.post("/v1/events/dispatch", ["source": "orders", "ordering_key": "a"])
            let retried = try await api.post("/v1/runs/\(head)/retry", [:])
            #expect(retried["status"] == "queued")
            #expect(retried["ordering_blocked"] == true)
            let second = try #require(all[1]["id"]?.stringValue)
            _ = try await api.post("/v1/runs/\(second)/cancel", [:])
            all = try await runs(api, job: job)
            #expect(all[0]["ordering_blocked"] == false, "the retried run is next")
            #expect(all[5]["ordering_blocked"] == true)
        }
    }

    @Test func aSubscriptionPathGivesIngestedWebhooksTheirKeyAndReplaysKeepKeys() async throws {
        try await TestApp.run { admin in
            let api = try await TestApp.project(admin).api
            let source = try await api.post("/v1/event-sources", ["name": "hooks", "signature_scheme": "none"])
            let job = try await api.post("/v1/jobs", ["name": "j", "kind": "noop"]).idString
            let other = try await api.post("/v1/jobs", ["name": "k", "kind": "noop"]).idString
            let subscription = try await api.post(
                "/v1/event-sources/\(source.idString)/subscribe",
                ["target_type": "job", "target_id": .string(job), "ordering_key_path": "customer.id"])
            #expect(subscription.status == .created)
            #expect(subscription["ordering_key_path"] == "customer.id")
            let plain = try await api.post(
                "/v1/event-sources/\(source.idString)/subscribe", ["target_type": "job", "target_id": .string(other)])
            #expect(plain["ordering_key_path"] == .null)
            let path = "/v1/event-sources/\(source.idString)/subscriptions/\(subscription.idString)"
            #expect(try await api.get(path)["ordering_key_path"] == "customer.id")

            for body in [
                #"{"customer": {"id": "c1"}}"#, #"{"customer": {"id": 42}}"#, #"{"customer": {}}"#,
                #"{"customer.id": "c1"}"#, #"{"customer": {"id": true}}"#,
            ] {
                let ingested = try await api.withToken(nil).request(
                    .post, "/v1/ingest/\(source.idString)", rawBody: body)
                #expect(ingested["dispatched"] == 2)
            }
            let keyed = try await runs(api, job: job)
            #expect(keyed.map { $0["ordering_key"] } == ["c1", "42", .null, "c1", .null])
            #expect(keyed.map { $0["ordering_blocked"] } == [false, false, false, true, false])
            #expect(try await runs(api, job: other).allSatisfy { $0["ordering_key"] == .null })

            // A dispatch's own key wins over the path, is stored with the event, and is given again on replay.
            let dispatched = try await api.post(
                "/v1/events/dispatch",
                ["source": "hooks", "payload": ["customer": ["id": "c1"]], "ordering_key": "explicit"])
            let eventID = try #require(dispatched["event_id"]?.stringValue)
            #expect(try await api.get("/v1/events/\(eventID)")["ordering_key"] == "explicit")
            #expect(try await api.post("/v1/events/\(eventID)/replay", [:])["dispatched"] == 2)
            let replayed = try await api.get("/v1/runs?event_id=\(eventID)")
            #expect(
                replayed.body?.arrayValue?.map { $0["ordering_key"] }
                    == Array(repeating: JSONValue.string("explicit"), count: 4))

            // The path can be removed and set again.
            #expect(try await api.patch(path, ["ordering_key_path": nil])["ordering_key_path"] == .null)
            #expect(try await api.patch(path, ["ordering_key_path": "a.b"])["ordering_key_path"] == "a.b")
        }
    }

    @Test func badKeysAndPathsAreRefusedWith422NamingTheField() async throws {
        try await TestApp.run { admin in
            let api = try await TestApp.project(admin).api
            let source = try await api.post("/v1/event-sources", ["name": "orders"])
            let job = try await api.post("/v1/jobs", ["name": "j", "kind": "noop"]).idString
            for key: JSONValue in ["", .string(String(repeating: "é", count: 129)), 42, ["a"], "a\u{0}b"] {
                let refused = try await api.post("/v1/events/dispatch", ["source": "orders", "ordering_key": key])
                #expect(refused.status == .unprocessableContent, "\(key)")
                #expect(
                    refused["error"]?["details"]?.arrayValue?.first?["path"] == "/ordering_key",
                    "\(key): \(refused.text)")
            }
            #expect(
                try await api.post(
                    "/v1/events/dispatch",
                    ["source": "orders", "ordering_key": .string(String(repeating: "k", count: 256))]
                ).status == .accepted)
            for path: JSONValue in [
                "", "a..b", ".a", "a.", "$headers.x", .string(String(repeating: "p", count: 257)), 7,
            ] {
                let refused = try await api.post(
                    "/v1/event-sources/\(source.idString)/subscribe",
                    ["target_type": "job", "target_id": .string(job), "ordering_key_path": path])
                #expect(refused.status == .unprocessableContent, "\(path)")
                #expect(
                    refused["error"]?["details"]?.arrayValue?.first?["path"] == "/ordering_key_path",
                    "\(path): \(refused.text)")
            }
            let subscription = try await api.post(
                "/v1/event-sources/\(source.idString)/subscribe", ["target_type": "job", "target_id": .string(job)])
            let patched = try await api.patch(
                "/v1/event-sources/\(source.idString)/subscriptions/\(subscription.idString)",
                ["ordering_key_path": "a..b"])
            #expect(patched.status == .unprocessableContent)
        }
    }
}
