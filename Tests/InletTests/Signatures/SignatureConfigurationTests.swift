import Foundation
import Testing

@testable import Inlet

@Suite struct SignatureConfigurationTests {
    @Test func schemeRawValuesAreTheAPISpelling() {
        #expect(SignatureScheme.allCases.map(\.rawValue) == ["hmac", "standard-webhooks", "stripe", "slack", "none"])
        #expect(SignatureAlgorithm.allCases.map(\.rawValue) == ["hmac-sha256", "hmac-sha512", "hmac-sha1"])
        #expect(SignatureEncoding.allCases.map(\.rawValue) == ["hex", "base64"])
    }

    @Test func hmacIsInferredFromAHeader() {
        #expect(SignatureScheme.inferred(signatureHeader: "X-Hub-Signature-256") == .hmac)
        #expect(SignatureScheme.inferred(signatureHeader: nil) == nil)
        #expect(SignatureScheme.inferred(signatureHeader: "") == nil)
    }

    @Test func hmacDefaultsToSHA256Hex() throws {
        let configuration = try SignatureConfiguration(scheme: .hmac, header: "X-Hub-Signature-256")
        #expect(configuration.header == "X-Hub-Signature-256")
        #expect(configuration.algorithm == .hmacSHA256)
        #expect(configuration.encoding == .hex)
    }

    @Test(arguments: [
        (SignatureScheme.standardWebhooks, "webhook-signature", SignatureEncoding.base64),
        (.stripe, "stripe-signature", .hex),
        (.slack, "x-slack-signature", .hex),
    ])
    func fixedSchemesFillInTheirSettings(_ scheme: SignatureScheme, header: String, encoding: SignatureEncoding) throws
    {
        let implicit = try SignatureConfiguration(scheme: scheme)
        #expect(implicit.header == header)
        #expect(implicit.algorithm == .hmacSHA256)
        #expect(implicit.encoding == encoding)
        // Restating the fixed values, in any case, is accepted.
        let explicit = try SignatureConfiguration(
            scheme: scheme, header: header.uppercased(), algorithm: .hmacSHA256, encoding: encoding)
        #expect(explicit == implicit)
    }

    struct InvalidCase: Sendable, CustomTestStringConvertible {
        let label: String
        let scheme: SignatureScheme
        var header: String? = nil
        var algorithm: SignatureAlgorithm? = nil
        var encoding: SignatureEncoding? = nil
        let field: String
        let code: SignatureConfigurationError.Code
        var testDescription: String { label }
    }

    @Test(arguments: [
        InvalidCase(label: "hmac without header", scheme: .hmac, field: "signature_header", code: .missing),
        InvalidCase(label: "hmac empty header", scheme: .hmac, header: "", field: "signature_header", code: .missing),
        InvalidCase(
            label: "hmac header with space", scheme: .hmac, header: "X Signature", field: "signature_header",
            code: .invalid),
        InvalidCase(
            label: "hmac header with colon", scheme: .hmac, header: "X-Sig:", field: "signature_header",
            code: .invalid),
        InvalidCase(
            label: "hmac header too long", scheme: .hmac, header: String(repeating: "x", count: 129),
            field: "signature_header", code: .invalid),
        InvalidCase(
            label: "stripe with another header", scheme: .stripe, header: "X-Signature", field: "signature_header",
            code: .conflict),
        InvalidCase(
            label: "slack with sha512", scheme: .slack, algorithm: .hmacSHA512, field: "signature_algorithm",
            code: .conflict),
        InvalidCase(
            label: "standard-webhooks with hex", scheme: .standardWebhooks, encoding: .hex,
            field: "signature_encoding", code: .conflict),
        InvalidCase(
            label: "stripe with base64", scheme: .stripe, encoding: .base64, field: "signature_encoding",
            code: .conflict),
        InvalidCase(
            label: "none with header", scheme: .none, header: "X-Signature", field: "signature_header",
            code: .conflict),
        InvalidCase(
            label: "none with algorithm", scheme: .none, algorithm: .hmacSHA256, field: "signature_algorithm",
            code: .conflict),
    ])
    func refusesInconsistentSettings(_ invalid: InvalidCase) {
        #expect {
            _ = try SignatureConfiguration(
                scheme: invalid.scheme, header: invalid.header, algorithm: invalid.algorithm,
                encoding: invalid.encoding)
        } throws: { error in
            let error = error as? SignatureConfigurationError
            return error?.field == invalid.field && error?.code == invalid.code && error?.message.isEmpty == false
        }
    }

    @Test func secretRules() throws {
        let webhooks = try SignatureConfiguration(scheme: .standardWebhooks)
        try webhooks.validate(secret: SigningSecret("whsec_" + Base64.encode([UInt8](repeating: 7, count: 24))))
        try webhooks.validate(secret: SigningSecret("whsec_" + Base64.encode([UInt8](repeating: 7, count: 64))))
        for rejected in [
            "", "whsec_", Base64.encode([UInt8](repeating: 7, count: 32)),
            "whsec_" + Base64.encode([UInt8](repeating: 7, count: 23)),
            "whsec_" + Base64.encode([UInt8](repeating: 7, count: 65)),
            "whsec_" + Base64URLForTest.encode([UInt8](repeating: 0xFB, count: 32)),
        ] {
            #expect(throws: SignatureConfigurationError.self, "\(rejected)") {
                try webhooks.validate(secret: SigningSecret(rejected))
            }
        }

        let hmac = try SignatureConfiguration(scheme: .hmac, header: "X-Signature")
        try hmac.validate(secret: SigningSecret("It's a Secret to Everybody"))
        #expect(throws: SignatureConfigurationError.self) { try hmac.validate(secret: SigningSecret("")) }
        #expect(throws: SignatureConfigurationError.self) {
            try hmac.validate(secret: SigningSecret(String(repeating: "s", count: 1025)))
        }
        #expect(throws: SignatureConfigurationError.self) { try SignatureVerifier(configuration: hmac, secrets: []) }
        let none = try SignatureConfiguration(scheme: .none)
        #expect(
            try SignatureVerifier(configuration: none, secrets: []).verify(body: [], headers: [:], now: 0).isAccepted)
    }

    @Test func errorsNeverQuoteTheSecret() throws {
        let webhooks = try SignatureConfiguration(scheme: .standardWebhooks)
        let secret = SigningSecret("whsec_tooShortButSecret")
        #expect {
            try webhooks.validate(secret: secret)
        } throws: { error in
            !String(describing: error).contains("tooShortButSecret")
        }
    }
}

/// The URL-safe alphabet, to build secrets that standard base64 must refuse.
enum Base64URLForTest {
    static func encode(_ bytes: [UInt8]) -> String {
        Base64.encode(bytes).replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }
}
