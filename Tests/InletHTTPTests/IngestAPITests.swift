import Crypto
import Foundation
import HTTPTypes
import Inlet
import InletTestSupport
import Testing

/// Inbound webhooks through `POST /v1/ingest/{source_id}`.
@Suite struct IngestAPITests {
    struct Vector: Decodable, Sendable {
        let name: String
        let scheme: String
        let algorithm: String?
        let encoding: String?
        let header: String?
        let secret: String
        let headers: [String: String]
        let body: String
        let valid: Bool
    }

    static func fields(_ headers: [String: String]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in headers { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        return fields
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// Every `hmac` vector (they carry no timestamp, so they verify at any time) end to end: valid ones are
    /// accepted (or refused as non-JSON), invalid ones get the same bare 401.
    /// Ingest URLs and replays name a source by id: another source *named* like that id (names may look like ids)
    /// does not capture its webhooks or its replays, as it does the name-or-id references of dispatch.
    @Test func aSourceNamedLikeAnotherOnesIdCapturesNeitherItsWebhooksNorItsReplays() async throws {
        try await TestApp.run { admin in
            let api = try await TestApp.project(admin).api
            let real = try await api.post("/v1/event-sources", ["name": "real", "signature_scheme": "none"])
            let impostor = try await api.post(
                "/v1/event-sources", ["name": .string(real.idString), "schema": ["type": "string"]])
            #expect(impostor.status == .created)
            let job = try await api.post("/v1/jobs", ["name": "j", "kind": "noop"]).idString
            _ = try await api.post(
                "/v1/event-sources/\(real.idString)/subscribe", ["target_type": "job", "target_id": .string(job)])
            // Dispatch names the impostor (a name wins), whose schema refuses an object.
            #expect(
                try await api.post("/v1/events/dispatch", ["source": .string(real.idString), "payload": [:]]).status
                    == .unprocessableContent)
            // The ingest URL and the replay mean the real source.
            let ingested = try await api.withToken(nil).request(.post, "/v1/ingest/\(real.idString)", rawBody: "{}")
            #expect(ingested.status == .accepted)
            #expect(ingested["dispatched"] == 1)
            let eventID = try #require(ingested["event_id"]?.stringValue)
            #expect(try await api.get("/v1/events/\(eventID)")["source_id"] == .string(real.idString))
            let replayed = try await api.post("/v1/events/\(eventID)/replay", [:])
            #expect(replayed.status == .accepted)
            #expect(replayed["dispatched"] == 1)
        }
    }

    @Test func hmacVectorsEndToEnd() async throws {
        let vectors = try JSONDecoder().decode([Vector].self, from: TestData.load("signatures/vectors.json"))
            .filter { $0.scheme == "hmac" }
        #expect(vectors.count == 146)
        try await TestApp.run { admin in
            let api = try await TestApp.project(admin).api
            var sources: [String: String] = [:]
            for vector in vectors {
                let key = [vector.secret, vector.header ?? "", vector.algorithm ?? "", vector.encoding ?? ""].joined(
                    separator: "|")
                if sources[key] == nil {
                    let created = try await api.post(
                        "/v1/event-sources",
                        [
                            "name": .string("v\(sources.count)"), "signature_scheme": "hmac",
                            "signing_secret": .string(vector.secret),
                            "signature_header": .string(vector.header!),
                            "signature_algorithm": .string(vector.algorithm!),
                            "signature_encoding": .string(vector.encoding!),
                        ])
                    try #require(created.status == .created, "\(vector.name): \(created.text)")
                    sources[key] = created.idString
                }
                let response = try await api.withToken(nil).request(
                    .post, "/v1/ingest/\(sources[key]!)", rawBody: vector.body, headers: Self.fields(vector.headers))
                if vector.valid {
                    let isJSON = (try? JSONValue(parsing: vector.body)) != nil
                    #expect(response.status == (isJSON ? .accepted : .badRequest), "\(vector.name): \(response.text)")
                } else {
                    #expect(response.status == .unauthorized, "\(vector.name)")
                    #expect(
                        response.body == [
                            "error": ["code": "unauthorized", "message": "signature verification failed"]
                        ])
                }
            }
        }
    }

    @Test func standardWebhooksStripeAndSlackSignedNow() async throws {
        try await TestApp.run { admin in
            let api = try await TestApp.project(admin).api
            let now = Int64(Date().timeIntervalSince1970)
            let body = #"{"type":"invoice.paid","amount":42}"#

            let standard = try await api.post(
                "/v1/event-sources", ["name": "sw", "signature_scheme": "standard-webhooks"])
            let secret = try #require(standard["signing_secret"]?.stringValue)
            let signer = try StandardWebhooksSigner(secret: SigningSecret(secret))
            let signed = signer.sign(body: Array(body.utf8), messageID: "msg_1", timestamp: now)
            let headers = Self.fields(Dictionary(uniqueKeysWithValues: signed.fields.map { ($0.name, $0.value) }))
            let first = try await api.withToken(nil).request(
                .post, "/v1/ingest/\(standard.idString)", rawBody: body, headers: headers)
            #expect(first.status == .accepted, "\(first.text)")
            #expect(first["duplicate"] == false)
            let again = try await api.withToken(nil).request(
                .post, "/v1/ingest/\(standard.idString)", rawBody: body, headers: headers)
            #expect(again["duplicate"] == true)
            #expect(again["event_id"] == first["event_id"])
            let tampered = try await api.withToken(nil).request(
                .post, "/v1/ingest/\(standard.idString)", rawBody: body.replacingOccurrences(of: "42", with: "43"),
                headers: headers)
            #expect(tampered.status == .unauthorized)
            let stale = signer.sign(body: Array(body.utf8), messageID: "msg_2", timestamp: now - 600)
            let staleResponse = try await api.withToken(nil).request(
                .post, "/v1/ingest/\(standard.idString)", rawBody: body,
                headers: Self.fields(Dictionary(uniqueKeysWithValues: stale.fields.map { ($0.name, $0.value) })))
            #expect(staleResponse.status == .unauthorized)
            let event = try await api.get("/v1/events/\(first["event_id"]!.stringValue!)")
            #expect(event["via"] == "ingest")
            #expect(event["verification"] == "standard-webhooks")
            #expect(event["idempotency_key"] == "msg_1")

            let stripe = try await api.post("/v1/event-sources", ["name": "stripe", "signature_scheme": "stripe"])
            let stripeSecret = try #require(stripe["signing_secret"]?.stringValue)
            let stripeMAC = HMAC<SHA256>.authenticationCode(
                for: Data("\(now).\(body)".utf8), using: SymmetricKey(data: Data(stripeSecret.utf8)))
            let stripeResponse = try await api.withToken(nil).request(
                .post, "/v1/ingest/\(stripe.idString)", rawBody: body,
                headers: Self.fields(["stripe-signature": "t=\(now),v1=\(Self.hex(stripeMAC))"]))
            #expect(stripeResponse.status == .accepted, "\(stripeResponse.text)")

            let slack = try await api.post("/v1/event-sources", ["name": "slack", "signature_scheme": "slack"])
            let slackSecret = try #require(slack["signing_secret"]?.stringValue)
            let slackMAC = HMAC<SHA256>.authenticationCode(
                for: Data("v0:\(now):\(body)".utf8), using: SymmetricKey(data: Data(slackSecret.utf8)))
            let slackResponse = try await api.withToken(nil).request(
                .post, "/v1/ingest/\(slack.idString)", rawBody: body,
                headers: Self.fields([
                    "x-slack-signature": "v0=\(Self.hex(slackMAC))", "x-slack-request-timestamp": "\(now)",
                ]))
            #expect(slackResponse.status == .accepted, "\(slackResponse.text)")
        }
    }

    @Test func configurationRotationAndProviderHeaders() async throws {
        try await TestApp.run { admin in
            let api = try await TestApp.project(admin).api
            let anonymous = api.withToken(nil)
            let unconfigured = try await api.post("/v1/event-sources", ["name": "plain"])
            #expect(
                try await anonymous.request(.post, "/v1/ingest/\(unconfigured.idString)", rawBody: "{}").status
                    == .forbidden)
            let open = try await api.post("/v1/event-sources", ["name": "open", "signature_scheme": "none"])
            #expect(open["signing_secret"] == nil)
            #expect(
                try await anonymous.request(.post, "/v1/ingest/\(open.idString)", rawBody: "{}").status == .accepted)
            #expect(
                try await anonymous.request(.post, "/v1/ingest/\(open.idString)", rawBody: "{nope").status
                    == .badRequest)
            #expect(
                try await anonymous.request(.post, "/v1/ingest/\(UUID().uuidString)", rawBody: "{}").status == .notFound
            )
            #expect(try await anonymous.request(.post, "/v1/ingest/not-a-uuid", rawBody: "{}").status == .notFound)

            // GitHub: hmac with a prefix, routed by X-GitHub-Event, deduplicated by X-GitHub-Delivery.
            let github = try await api.post(
                "/v1/event-sources",
                [
                    "name": "github", "signature_header": "X-Hub-Signature-256",
                    "idempotency_header": "X-GitHub-Delivery",
                ])
            let oldSecret = try #require(github["signing_secret"]?.stringValue)
            let job = try await api.post("/v1/jobs", ["name": "on-push", "kind": "noop"]).idString
            #expect(
                try await api.post(
                    "/v1/event-sources/\(github.idString)/subscribe",
                    [
                        "target_type": "job", "target_id": .string(job),
                        "filter_expr": ["$headers": ["x-github-event": ["push"]]],
                    ]
                ).status == .created)
            let body = #"{"ref":"refs/heads/main"}"#
            func deliver(_ secret: String, event: String, delivery: String) async throws -> APIResponse {
                let mac = HMAC<SHA256>.authenticationCode(
                    for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
                return try await anonymous.request(
                    .post, "/v1/ingest/\(github.idString)", rawBody: body,
                    headers: Self.fields([
                        "x-hub-signature-256": "sha256=\(Self.hex(mac))", "x-github-event": event,
                        "x-github-delivery": delivery,
                    ]))
            }
            #expect(try await deliver(oldSecret, event: "push", delivery: "d1")["dispatched"] == 1)
            #expect(try await deliver(oldSecret, event: "issues", delivery: "d2")["dispatched"] == 0)
            #expect(try await deliver(oldSecret, event: "push", delivery: "d1")["duplicate"] == true)

            let rotated = try await api.request(
                .post, "/v1/event-sources/\(github.idString)/rotate-secret", json: ["grace_period_seconds": 3600])
            let newSecret = try #require(rotated["signing_secret"]?.stringValue)
            #expect(try await deliver(newSecret, event: "push", delivery: "d3").status == .accepted)
            #expect(try await deliver(oldSecret, event: "push", delivery: "d4").status == .accepted)
            _ = try await api.request(
                .post, "/v1/event-sources/\(github.idString)/rotate-secret", json: ["grace_period_seconds": 0])
            #expect(try await deliver(oldSecret, event: "push", delivery: "d5").status == .unauthorized)

            #expect(try await api.patch("/v1/event-sources/\(open.idString)", ["enabled": false]).status == .ok)
            #expect(
                try await anonymous.request(.post, "/v1/ingest/\(open.idString)", rawBody: "{}").status == .conflict)
        }
    }
}
