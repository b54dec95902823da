import Testing

@testable import Inlet

@Suite struct JobSecretRotationTests {
    @Test func aRotationSealsBothSecretsAndReadsBackTheSame() throws {
        let box = try SecretBox(keys: [SecretKey.generate()])
        let old = SigningSecret.generate(for: .standardWebhooks)
        let new = SigningSecret.generate(for: .standardWebhooks)
        // Sealed before any rotation: a bare secret.
        let legacy = try box.seal(old, context: "job:1")
        #expect(try box.openSigningSecretRotation(legacy, context: "job:1") == SigningSecretRotation(current: old))
        let rotated = SigningSecretRotation(current: old).rotated(to: new, now: 1000, gracePeriod: 60)
        let sealed = try box.seal(rotated, context: "job:1")
        let opened = try box.openSigningSecretRotation(sealed, context: "job:1")
        #expect(opened == rotated)
        #expect(opened.activeSecrets(now: 1059) == [new, old])
        #expect(opened.activeSecrets(now: 1060) == [new])
        #expect(opened.pruned(now: 1060) == SigningSecretRotation(current: new))
        #expect(opened.pruned(now: 1000) == opened)
    }

    @Test func deliveriesDuringTheGracePeriodVerifyUnderEitherSecret() throws {
        let old = SigningSecret.generate(for: .standardWebhooks)
        let new = SigningSecret.generate(for: .standardWebhooks)
        let signer = try StandardWebhooksSigner(secrets: [new, old])
        let body = Array(#"{"a":1}"#.utf8)
        let headers = signer.sign(body: body, messageID: "msg_1", timestamp: 1_700_000_000)
        #expect(headers.signature.split(separator: " ").count == 2)
        #expect(headers.signature.split(separator: " ").allSatisfy { $0.hasPrefix("v1,") })
        var fields: [String: String] = [:]
        for field in headers.fields { fields[field.name] = field.value }
        for secret in [old, new] {
            let verifier = try SignatureVerifier(
                configuration: SignatureConfiguration(scheme: .standardWebhooks), secrets: [secret])
            #expect(verifier.verify(body: body, headers: fields, now: 1_700_000_000).isAccepted)
        }
        #expect(throws: SignatureConfigurationError.self) { try StandardWebhooksSigner(secrets: []) }
    }
}
