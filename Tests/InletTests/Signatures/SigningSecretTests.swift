import Testing

@testable import Inlet

@Suite struct SigningSecretTests {
    @Test func standardWebhooksSecretsAreWhsecBase64Of32Bytes() throws {
        let secret = SigningSecret.generate(for: .standardWebhooks)
        #expect(secret.unredactedText.hasPrefix("whsec_"))
        #expect(secret.unredactedText.count == 6 + 44)
        #expect(try #require(secret.key(for: .standardWebhooks)).count == 32)
        try SignatureConfiguration(scheme: .standardWebhooks).validate(secret: secret)
    }

    @Test func stripeSecretsLookLikeStripes() {
        let secret = SigningSecret.generate(for: .stripe)
        #expect(secret.unredactedText.hasPrefix("whsec_"))
        #expect(secret.unredactedText.count == 50)
    }

    @Test(arguments: [SignatureScheme.hmac, .slack, .none])
    func otherSecretsAre64LowerCaseHexCharacters(_ scheme: SignatureScheme) throws {
        let text = SigningSecret.generate(for: scheme).unredactedText
        #expect(text.count == 64)
        #expect(try #require(Hex.decode(text)).count == 32)
    }

    @Test func generatedSecretsDiffer() {
        let secrets = Set((0..<100).map { _ in SigningSecret.generate(for: .hmac) })
        #expect(secrets.count == 100)
    }

    @Test func neverPrints() {
        let secret = SigningSecret("hunter2-very-secret")
        var dumped = ""
        dump(secret, to: &dumped)
        let texts = [String(describing: secret), String(reflecting: secret), "\(secret)", dumped, "\([secret])"]
        for text in texts {
            #expect(!text.contains("hunter2"), "\(text)")
        }
        #expect("\(secret)" == "<redacted>")
    }
}
