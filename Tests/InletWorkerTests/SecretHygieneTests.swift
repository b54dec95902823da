import Crypto
import Foundation
import Inlet
import InletTestSupport
import Postgres
import Testing

/// No secret or token ever appears in a log line (at debug level) or a GET response, over a session that uses
/// every kind of secret: API keys, source secrets of three schemes (one rotated, one supplied), job secrets.
@Suite(.serialized) struct SecretHygieneTests {
    static func hex(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func hmacSHA256(_ message: String, key: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data(key.utf8))))
    }

    @Test func noSecretInLogsOrGETs() async throws {
        let receiver = TestReceiver()
        try await receiver.serve { hook in
            try await InletProcesses.withStack({ $0.logLevel = "debug" }) { stack, key, pool in
                var secrets = [stack.adminToken, stack.secretKey, key]
                let anonymous: String? = nil
                let projects = try await stack.request(.GET, "/v1/projects", token: stack.adminToken)
                let projectID = try #require(projects.body?.arrayValue?.first?["id"]?.stringValue)
                let extraKey = try await stack.request(
                    .POST, "/v1/projects/\(projectID)/api-keys", json: ["name": "ci"], token: stack.adminToken)
                secrets.append(try #require(extraKey["token"]?.stringValue))

                let job = try await stack.request(
                    .POST, "/v1/jobs", json: ["name": "deliver", "kind": "http", "config": ["url": .string(hook)]],
                    token: key)
                let jobID = try #require(job["id"]?.stringValue)
                secrets.append(try #require(job["signing_secret"]?.stringValue))

                let supplied = "supplied-github-secret-\(UUID().uuidString)"
                let definitions: [(String, JSONValue)] = [
                    (
                        "github",
                        [
                            "name": "github", "signature_header": "X-Hub-Signature-256",
                            "idempotency_header": "X-GitHub-Delivery", "signing_secret": .string(supplied),
                        ]
                    ),
                    ("standard", ["name": "standard", "signature_scheme": "standard-webhooks"]),
                    ("stripe", ["name": "stripe", "signature_scheme": "stripe"]),
                ]
                var sources: [String: (id: String, secret: String)] = [:]
                for (name, definition) in definitions {
                    let created = try await stack.request(.POST, "/v1/event-sources", json: definition, token: key)
                    #expect(created.status == 201, "\(name): \(String(describing: created.body))")
                    let id = try #require(created["id"]?.stringValue)
                    sources[name] = (id, try #require(created["signing_secret"]?.stringValue))
                    _ = try await stack.request(
                        .POST, "/v1/event-sources/\(id)/subscribe",
                        json: ["target_type": "job", "target_id": .string(jobID)], token: key)
                }
                let github = try #require(sources["github"])
                let rotated = try await stack.request(
                    .POST, "/v1/event-sources/\(github.id)/rotate-secret", json: ["grace_period_seconds": 3600],
                    token: key)
                let newGitHubSecret = try #require(rotated["signing_secret"]?.stringValue)
                secrets += [supplied, newGitHubSecret] + sources.values.map(\.secret)

                try stack.startWorker("hygiene")
                // Signed webhooks (the GitHub one with the old and the new secret, both valid in the grace period)
                // and forged ones.
                let body = #"{"action":"opened","number":7}"#
                let now = Int64(Date().timeIntervalSince1970)
                var accepted = 0
                for (index, secret) in [supplied, newGitHubSecret, "forged"].enumerated() {
                    let reply = try await stack.request(
                        .POST, "/v1/ingest/\(github.id)", rawBody: body, token: anonymous,
                        headers: [
                            "X-Hub-Signature-256": "sha256=" + Self.hex(Self.hmacSHA256(body, key: secret)),
                            "X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "delivery-\(index)",
                        ])
                    #expect(reply.status == (secret == "forged" ? 401 : 202))
                    if reply.status == 202 { accepted += 1 }
                }
                let standard = try #require(sources["standard"])
                for secret in [standard.secret, "whsec_" + Data(repeating: 7, count: 32).base64EncodedString()] {
                    let signed = try StandardWebhooksSigner(secret: SigningSecret(secret))
                        .sign(body: Array(body.utf8), messageID: "msg_\(UUID().uuidString)", timestamp: now)
                    let reply = try await stack.request(
                        .POST, "/v1/ingest/\(standard.id)", rawBody: body, token: anonymous,
                        headers: Dictionary(uniqueKeysWithValues: signed.fields.map { ($0.name, $0.value) }))
                    #expect(reply.status == (secret == standard.secret ? 202 : 401))
                    if reply.status == 202 { accepted += 1 }
                }
                let stripe = try #require(sources["stripe"])
                for secret in [stripe.secret, "whsec_forged"] {
                    let signature = Self.hex(Self.hmacSHA256("\(now).\(body)", key: secret))
                    let reply = try await stack.request(
                        .POST, "/v1/ingest/\(stripe.id)", rawBody: body, token: anonymous,
                        headers: ["Stripe-Signature": "t=\(now),v1=\(signature)"])
                    #expect(reply.status == (secret == stripe.secret ? 202 : 401))
                    if reply.status == 202 { accepted += 1 }
                }
                let dispatched = try await stack.request(
                    .POST, "/v1/events/dispatch", json: ["source": "stripe", "payload": ["api": true]], token: key)
                #expect(dispatched.status == 202)
                accepted += 1
                try await waitUntil("every run was delivered") {
                    receiver.requests.count == accepted
                }

                // Every GET an operator or a client can make.
                var paths = [
                    "/v1/projects", "/v1/projects/\(projectID)", "/v1/projects/\(projectID)/api-keys",
                    "/v1/event-sources", "/v1/jobs", "/v1/jobs/\(jobID)", "/v1/events", "/v1/runs", "/metrics",
                    "/healthz", "/readyz", "/openapi.json",
                ]
                for source in sources.values {
                    paths += ["/v1/event-sources/\(source.id)", "/v1/event-sources/\(source.id)/subscriptions"]
                }
                for list in ["/v1/events", "/v1/runs"] {
                    let items = try await stack.request(.GET, list, token: key).body?.arrayValue ?? []
                    paths += items.compactMap { $0["id"]?.stringValue }.map { "\(list)/\($0)" }
                }
                var bodies: [(String, String)] = []
                for path in paths {
                    for token in [key, stack.adminToken] {
                        let separator = path.contains("?") ? "&" : "?"
                        let needsProject =
                            token != key && path.hasPrefix("/v1/") && !path.hasPrefix("/v1/projects")
                            && !path.hasSuffix("/subscriptions")
                        let scoped = needsProject ? path + separator + "project_id=\(projectID)" : path
                        let reply = await stack.serverGet(scoped, token: token)
                        // Metrics describe every tenant: admin keys only.
                        let expected = path == "/metrics" && token == key ? 403 : 200
                        #expect(reply.status == expected, "GET \(scoped): \(reply.status)")
                        bodies.append(("GET \(scoped)", reply.text))
                    }
                }
                for path in ["/metrics", "/healthz", "/readyz"] {
                    bodies.append(("worker GET \(path)", await stack.workerGet("hygiene", path).text))
                }
                let logs = [("server log", stack.log("server")), ("worker log", stack.log("worker-hygiene"))]
                // The logs are not empty: the checks below look at real output.
                #expect(logs[0].1.contains("ingest signature rejected"))
                #expect(logs[1].1.contains("attempt succeeded"))

                for secret in secrets {
                    // Standard Webhooks secrets also as their bare base64 key.
                    let forms = [secret] + (secret.hasPrefix("whsec_") ? [String(secret.dropFirst(6))] : [])
                    for form in forms {
                        for (name, text) in logs + bodies where text.contains(form) {
                            Issue.record("a secret (\(form.prefix(8))…) appears in \(name)")
                        }
                    }
                }
                _ = pool
            }
        }
    }
}
