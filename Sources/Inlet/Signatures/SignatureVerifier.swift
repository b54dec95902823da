/// Verifies inbound webhook requests for one event source.
///
/// It holds the source's ``SignatureConfiguration`` and its secrets: the current one and, during a
/// rotation's grace period, the previous ones. A request passes if it is signed with any of them. MACs
/// are compared in constant time. The rules are those of `shared/testdata/signatures/README.md`.
public struct SignatureVerifier: Sendable {
    public let configuration: SignatureConfiguration
    /// The HMAC key of each secret, in the order given.
    let keys: [[UInt8]]

    /// How far a signed timestamp may be from the clock, in seconds, in either direction.
    public static let timestampTolerance: Int64 = 300

    /// - Throws: ``SignatureConfigurationError`` if a secret does not suit the scheme (see
    ///   ``SignatureConfiguration/validate(secret:)``), or if a scheme other than `none` has no secret.
    public init(configuration: SignatureConfiguration, secrets: [SigningSecret]) throws(SignatureConfigurationError) {
        if configuration.scheme != .none && secrets.isEmpty {
            throw SignatureConfigurationError(
                code: .missing, field: "signing_secret",
                message: "the \(configuration.scheme.rawValue) scheme needs a secret")
        }
        var keys: [[UInt8]] = []
        for secret in secrets {
            try configuration.validate(secret: secret)
            if configuration.scheme != .none, let key = secret.key(for: configuration.scheme) {
                keys.append(key)
            }
        }
        self.configuration = configuration
        self.keys = keys
    }

    /// Verifies a request.
    ///
    /// - Parameters:
    ///   - body: The raw request body, byte for byte as received.
    ///   - headers: The request headers; names are matched without regard to case.
    ///   - now: The current time in Unix seconds.
    public func verify(body: some Collection<UInt8>, headers: [String: String], now: Int64) -> SignatureVerdict {
        let request = SignedRequest(headers: headers)
        let outcome: Result<String?, SignatureRejection>
        switch configuration.scheme {
        case .none: outcome = .success(nil)
        case .hmac: outcome = verifyHMAC(body: body, request: request).map { nil }
        case .standardWebhooks: outcome = verifyStandardWebhooks(body: body, request: request, now: now)
        case .stripe: outcome = verifyStripe(body: body, request: request, now: now).map { nil }
        case .slack: outcome = verifySlack(body: body, request: request, now: now).map { nil }
        }
        switch outcome {
        case .success(let idempotencyKey): return .accepted(idempotencyKey: idempotencyKey)
        case .failure(let reason): return .rejected(reason)
        }
    }

    /// Whether `candidate` equals the MAC of `parts` under any key. Every key and every candidate is
    /// checked, with no early exit, so timing does not reveal which one matched.
    func matchesAnyKey(
        _ candidates: [[UInt8]],
        algorithm: SignatureAlgorithm,
        parts: [any Collection<UInt8>]
    ) -> Bool {
        var matched = false
        for key in keys {
            let expected = algorithm.authenticationCode(key: key, parts: parts)
            for candidate in candidates {
                matched = ConstantTime.equals(expected, candidate) || matched
            }
        }
        return matched
    }

    /// Checks a signed timestamp header against the clock: a run of decimal digits, at most
    /// ``timestampTolerance`` seconds from `now` in either direction (both bounds inclusive).
    static func checkTimestamp(_ text: String, now: Int64) -> Result<Int64, SignatureRejection> {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return .failure(.nonNumericTimestamp)
        }
        // A run of digits too long for Int64 is far in the future.
        guard let timestamp = Int64(text) else { return .failure(.futureTimestamp) }
        let (age, overflow) = now.subtractingReportingOverflow(timestamp)
        if overflow { return .failure(timestamp > now ? .futureTimestamp : .expiredTimestamp) }
        if age > timestampTolerance { return .failure(.expiredTimestamp) }
        if age < -timestampTolerance { return .failure(.futureTimestamp) }
        return .success(timestamp)
    }
}

/// Case-insensitive access to a request's headers.
struct SignedRequest {
    let headers: [String: String]

    /// The value of `name`, matched without regard to ASCII case; present but empty is reported apart.
    func header(_ name: String) -> Result<String, SignatureRejection> {
        let lowercased = name.lowercased()
        let value =
            headers[lowercased] ?? headers.first(where: { $0.key.lowercased() == lowercased })?.value
        guard let value else { return .failure(.missingHeader) }
        guard !value.isEmpty else { return .failure(.emptyHeader) }
        return .success(value)
    }
}

extension SignatureVerifier: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "SignatureVerifier(\(configuration.scheme.rawValue), \(keys.count) secrets <redacted>)"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["configuration": configuration], displayStyle: .struct) }
}
