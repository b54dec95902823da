import Testing

@testable import Inlet

/// Timestamp checks beyond the shared vectors: overflow and Stripe's future side.
@Suite struct SignatureTimestampTests {
    static let now: Int64 = 1_800_000_000

    @Test(arguments: [
        ("1800000000", Result<Int64, SignatureRejection>.success(1_800_000_000)),
        ("1799999700", .success(1_799_999_700)),
        ("1800000300", .success(1_800_000_300)),
        ("1799999699", .failure(.expiredTimestamp)),
        ("1800000301", .failure(.futureTimestamp)),
        ("99999999999999999999999", .failure(.futureTimestamp)),
        ("9223372036854775807", .failure(.futureTimestamp)),
        ("", .failure(.nonNumericTimestamp)),
        ("-5", .failure(.nonNumericTimestamp)),
        ("１２３", .failure(.nonNumericTimestamp)),
    ])
    func timestampWindow(_ text: String, expected: Result<Int64, SignatureRejection>) {
        #expect(SignatureVerifier.checkTimestamp(text, now: Self.now) == expected)
    }

    @Test func extremeClockDoesNotOverflow() {
        #expect(SignatureVerifier.checkTimestamp("9223372036854775807", now: .min) == .failure(.futureTimestamp))
        #expect(SignatureVerifier.checkTimestamp("0", now: .max) == .failure(.expiredTimestamp))
    }

    @Test func stripeRejectsTimestampsMoreThanToleranceAhead() throws {
        let secret = "whsec_test"
        let body = Array("{}".utf8)
        let verifier = try SignatureVerifier(
            configuration: SignatureConfiguration(scheme: .stripe), secrets: [SigningSecret(secret)])
        func request(at timestamp: Int64) -> [String: String] {
            let mac = SignatureAlgorithm.hmacSHA256.authenticationCode(
                key: Array(secret.utf8), parts: [Array("\(timestamp).".utf8), body])
            return ["stripe-signature": "t=\(timestamp),v1=\(Hex.encode(mac))"]
        }
        #expect(verifier.verify(body: body, headers: request(at: Self.now + 300), now: Self.now).isAccepted)
        #expect(
            verifier.verify(body: body, headers: request(at: Self.now + 301), now: Self.now)
                == .rejected(.futureTimestamp))
    }

    @Test func noneAcceptsEverything() throws {
        let verifier = try SignatureVerifier(configuration: SignatureConfiguration(scheme: .none), secrets: [])
        #expect(verifier.verify(body: Array("x".utf8), headers: [:], now: 0) == .accepted(idempotencyKey: nil))
    }
}
