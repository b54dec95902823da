import Testing

@testable import Inlet

@Suite struct SigningSecretRotationTests {
    @Test func previousSecretWorksForTheGracePeriodOnly() throws {
        let original = SigningSecretRotation(current: SigningSecret.generate(for: .standardWebhooks))
        let rotated = original.rotated(to: SigningSecret.generate(for: .standardWebhooks), now: 1_000)
        #expect(original.activeSecrets(now: 1_000) == [original.current])
        #expect(rotated.activeSecrets(now: 1_000) == [rotated.current, original.current])
        #expect(rotated.activeSecrets(now: 1_000 + 86_399) == [rotated.current, original.current])
        #expect(rotated.activeSecrets(now: 1_000 + 86_400) == [rotated.current])

        // End to end: a delivery signed with the old secret verifies during the grace period only.
        let body = Array("{}".utf8)
        let oldSigner = try StandardWebhooksSigner(secret: original.current)
        let configuration = try SignatureConfiguration(scheme: .standardWebhooks)
        for (now, accepted) in [(Int64(1_000 + 3_600), true), (1_000 + 86_400, false)] {
            let signed = oldSigner.sign(body: body, messageID: "msg_1", timestamp: now)
            let headers = Dictionary(uniqueKeysWithValues: signed.fields.map { ($0.name, $0.value) })
            let verifier = try SignatureVerifier(configuration: configuration, secrets: rotated.activeSecrets(now: now))
            #expect(verifier.verify(body: body, headers: headers, now: now).isAccepted == accepted, "at \(now)")
        }
    }

    @Test func verifierNeverPrintsItsKeys() throws {
        let secret = SigningSecret("super-secret-hmac-key")
        let verifier = try SignatureVerifier(
            configuration: SignatureConfiguration(scheme: .hmac, header: "X-Signature"), secrets: [secret])
        var dumped = ""
        dump(verifier, to: &dumped)
        let keyBytes = Array("super".utf8).map(String.init).joined(separator: "\n")
        for text in [String(describing: verifier), String(reflecting: verifier), dumped] {
            #expect(!text.contains("super-secret"), "\(text)")
            #expect(!text.contains(keyBytes), "\(text)")
        }
    }
}
