import Testing

@testable import Inlet

/// During a secret rotation a source lists its new and previous secrets; either one authenticates.
@Suite struct SignatureRotationTests {
    static let body = Array(#"{"type":"order.created"}"#.utf8)
    static let now: Int64 = 1_800_000_000

    @Test func standardWebhooksAcceptsPreviousSecretOnlyWhileListed() throws {
        let previous = SigningSecret.generate(for: .standardWebhooks)
        let current = SigningSecret.generate(for: .standardWebhooks)
        let headers = try StandardWebhooksSigner(secret: previous)
            .sign(body: Self.body, messageID: "msg_1", timestamp: Self.now).fields
        let request = Dictionary(uniqueKeysWithValues: headers.map { ($0.name, $0.value) })
        let configuration = try SignatureConfiguration(scheme: .standardWebhooks)

        let during = try SignatureVerifier(configuration: configuration, secrets: [current, previous])
        #expect(during.verify(body: Self.body, headers: request, now: Self.now) == .accepted(idempotencyKey: "msg_1"))

        let after = try SignatureVerifier(configuration: configuration, secrets: [current])
        #expect(after.verify(body: Self.body, headers: request, now: Self.now) == .rejected(.signatureMismatch))
    }

    @Test(arguments: [SignatureAlgorithm.hmacSHA256, .hmacSHA512, .hmacSHA1])
    func hmacAcceptsPreviousSecretOnlyWhileListed(_ algorithm: SignatureAlgorithm) throws {
        let previous = SigningSecret("previous secret")
        let current = SigningSecret("current secret")
        let mac = algorithm.authenticationCode(key: Array(previous.unredactedText.utf8), parts: [Self.body])
        let request = ["x-signature": "\(algorithm.hexPrefix)=\(Hex.encode(mac))"]
        let configuration = try SignatureConfiguration(scheme: .hmac, header: "X-Signature", algorithm: algorithm)

        let during = try SignatureVerifier(configuration: configuration, secrets: [current, previous])
        #expect(during.verify(body: Self.body, headers: request, now: Self.now).isAccepted)

        let after = try SignatureVerifier(configuration: configuration, secrets: [current])
        #expect(after.verify(body: Self.body, headers: request, now: Self.now) == .rejected(.signatureMismatch))
    }

    @Test func slackAndStripeAcceptEitherSecret() throws {
        let previous = SigningSecret("whsec_previous")
        let current = SigningSecret("whsec_current")
        let timestamp = String(Self.now)
        let stripeMAC = SignatureAlgorithm.hmacSHA256.authenticationCode(
            key: Array(previous.unredactedText.utf8), parts: [Array("\(timestamp).".utf8), Self.body])
        let stripe = try SignatureVerifier(
            configuration: SignatureConfiguration(scheme: .stripe), secrets: [current, previous])
        let stripeRequest = ["stripe-signature": "t=\(timestamp),v1=\(Hex.encode(stripeMAC))"]
        #expect(stripe.verify(body: Self.body, headers: stripeRequest, now: Self.now).isAccepted)

        let slackMAC = SignatureAlgorithm.hmacSHA256.authenticationCode(
            key: Array(previous.unredactedText.utf8), parts: [Array("v0:\(timestamp):".utf8), Self.body])
        let slack = try SignatureVerifier(
            configuration: SignatureConfiguration(scheme: .slack), secrets: [current, previous])
        let slackRequest = ["x-slack-request-timestamp": timestamp, "x-slack-signature": "v0=\(Hex.encode(slackMAC))"]
        #expect(slack.verify(body: Self.body, headers: slackRequest, now: Self.now).isAccepted)
        let slackWithoutPrevious = try SignatureVerifier(
            configuration: SignatureConfiguration(scheme: .slack), secrets: [current])
        #expect(!slackWithoutPrevious.verify(body: Self.body, headers: slackRequest, now: Self.now).isAccepted)
    }

    /// Every vector still passes when the source also lists an unrelated previous secret.
    @Test func vectorsHoldWithAnExtraUnrelatedSecret() throws {
        for vector in SignatureVectorTests.vectors {
            let extra =
                vector.scheme == "standard-webhooks" ? SigningSecret.generate(for: .standardWebhooks) : .init("x")
            let verifier = try vector.verifier(secrets: [extra.unredactedText])
            let verdict = verifier.verify(body: Array(vector.body.utf8), headers: vector.headers, now: vector.now)
            #expect(verdict.isAccepted == vector.valid, "\(vector.name)")
        }
    }
}
