import Testing

@testable import Inlet

@Suite struct StandardWebhooksSignerTests {
    /// The example in the Standard Webhooks specification's reference libraries.
    @Test func reproducesThePublishedExample() throws {
        let signer = try StandardWebhooksSigner(secret: SigningSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let body = Array(#"{"test": 2432232314}"#.utf8)
        let headers = signer.sign(body: body, messageID: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330)
        #expect(headers.signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(headers.id == "msg_p5jXN8AQM9LWM0D4loKWxJek")
        #expect(headers.timestamp == "1614265330")
    }

    /// For every valid shared vector, signing its id, timestamp and body gives one of the header's entries.
    @Test func reproducesEveryValidStandardWebhooksVector() throws {
        let vectors = SignatureVectorTests.vectors.filter { $0.scheme == "standard-webhooks" && $0.valid }
        #expect(vectors.count == 21)
        for vector in vectors {
            let signer = try StandardWebhooksSigner(secret: SigningSecret(vector.secret))
            let id = try #require(vector.headers["webhook-id"])
            let timestamp = try #require(vector.headers["webhook-timestamp"].flatMap { Int64($0) })
            let headers = signer.sign(body: Array(vector.body.utf8), messageID: id, timestamp: timestamp)
            let entries = try #require(vector.headers["webhook-signature"]).split(separator: " ").map(String.init)
            #expect(entries.contains(headers.signature), "\(vector.name)")
        }
    }

    @Test func whatItSignsTheVerifierAccepts() throws {
        let secret = SigningSecret.generate(for: .standardWebhooks)
        let body = Array("{\"run_id\":\"0190\",\"payload\":{\"name\":\"Zoë ✓\"}}\n".utf8)
        let headers = try StandardWebhooksSigner(secret: secret).sign(
            body: body, messageID: "run_42", timestamp: 1_700_000_000)
        let request = Dictionary(uniqueKeysWithValues: headers.fields.map { ($0.name, $0.value) })
        let verifier = try SignatureVerifier(
            configuration: SignatureConfiguration(scheme: .standardWebhooks), secrets: [secret])

        #expect(
            verifier.verify(body: body, headers: request, now: 1_700_000_100) == .accepted(idempotencyKey: "run_42"))
        #expect(!verifier.verify(body: body + [0x20], headers: request, now: 1_700_000_100).isAccepted)
        #expect(verifier.verify(body: body, headers: request, now: 1_700_000_301) == .rejected(.expiredTimestamp))
    }

    @Test(arguments: [
        "", "not-whsec", "whsec_", "whsec_AAAA", "whsec_!!!!", "whsec_" + String(repeating: "A", count: 31),
    ])
    func refusesSecretsThatAreNotWhsecKeys(_ text: String) {
        #expect(throws: SignatureConfigurationError.self) { try StandardWebhooksSigner(secret: SigningSecret(text)) }
    }

    @Test func neverPrintsItsKey() throws {
        let secret = SigningSecret.generate(for: .standardWebhooks)
        let signer = try StandardWebhooksSigner(secret: secret)
        var dumped = ""
        dump(signer, to: &dumped)
        for text in [String(describing: signer), String(reflecting: signer), dumped] {
            #expect(!text.contains(secret.unredactedText.dropFirst(6).prefix(8)))
        }
    }
}
