import Foundation
import InletTestSupport
import Testing

@testable import Inlet

/// One case of `shared/testdata/signatures/vectors.json` (see the README beside it).
struct SignatureVector: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let scheme: String
    let algorithm: String?
    let encoding: String?
    let header: String?
    let secret: String
    let headers: [String: String]
    let body: String
    let now: Int64
    let valid: Bool
    let reason: String

    var testDescription: String { name }

    static func all() throws -> [SignatureVector] {
        try JSONDecoder().decode([SignatureVector].self, from: TestData.load("signatures/vectors.json"))
    }

    /// The source configuration the vector describes, validated as the API would.
    func verifier(secrets extraSecrets: [String] = []) throws -> SignatureVerifier {
        let configuration = try SignatureConfiguration(
            scheme: try #require(SignatureScheme(rawValue: scheme)),
            header: header,
            algorithm: try algorithm.map { try #require(SignatureAlgorithm(rawValue: $0)) },
            encoding: try encoding.map { try #require(SignatureEncoding(rawValue: $0)) }
        )
        return try SignatureVerifier(
            configuration: configuration, secrets: ([secret] + extraSecrets).map(SigningSecret.init))
    }

    /// The rejection the verifier should log, for the README labels that name one check unambiguously.
    var expectedRejection: SignatureRejection? {
        switch reason {
        case "missing header": .missingHeader
        case "empty header": .emptyHeader
        case "malformed header": .malformedHeader
        case "non-numeric timestamp": .nonNumericTimestamp
        case "expired timestamp": .expiredTimestamp
        case "future timestamp": .futureTimestamp
        case "no v1 signature": .noSignature
        case "tampered body", "tampered timestamp", "tampered id", "wrong secret", "secret not base64-decoded",
            "secret decoded as base64", "secret prefix stripped", "wrong signed content", "not an hmac",
            "rotated: no signature valid":
            .signatureMismatch
        default: nil
        }
    }
}
