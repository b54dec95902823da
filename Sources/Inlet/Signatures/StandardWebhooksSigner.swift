/// Signs outbound deliveries with the Standard Webhooks scheme, as the worker does for `http` jobs.
///
/// The receiver checks them exactly as ``SignatureVerifier`` does for a `standard-webhooks` source:
/// HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}` under the base64-decoded `whsec_` key.
///
/// During a secret rotation's grace period it signs with every active secret: `webhook-signature` then lists one
/// `v1,` signature per secret, space-separated, as the specification allows, so a receiver verifies with either.
public struct StandardWebhooksSigner: Sendable {
    private let keys: [[UInt8]]

    /// - Throws: ``SignatureConfigurationError`` unless `secret` is `whsec_` followed by the base64 of a
    ///   24 to 64 byte key.
    public init(secret: SigningSecret) throws(SignatureConfigurationError) {
        let configuration = try SignatureConfiguration(scheme: .standardWebhooks)
        try configuration.validate(secret: secret)
        guard let key = secret.key(for: .standardWebhooks) else {
            throw SignatureConfigurationError(code: .invalid, field: "signing_secret", message: "not a whsec_ secret")
        }
        self.keys = [key]
    }

    /// A signer for several secrets at once (the current one first); at least one is needed.
    public init(secrets: [SigningSecret]) throws(SignatureConfigurationError) {
        var keys: [[UInt8]] = []
        for secret in secrets { keys += try StandardWebhooksSigner(secret: secret).keys }
        guard !keys.isEmpty else {
            throw SignatureConfigurationError(
                code: .missing, field: "signing_secret", message: "no secret to sign with")
        }
        self.keys = keys
    }

    /// The three signature headers for one delivery.
    ///
    /// - Parameters:
    ///   - body: The exact bytes that will be sent.
    ///   - messageID: The `webhook-id`; the same on every attempt of one message, so receivers can
    ///     deduplicate (the worker uses the run id).
    ///   - timestamp: The `webhook-timestamp` in Unix seconds, normally the time of this attempt.
    public func sign(body: some Collection<UInt8>, messageID: String, timestamp: Int64) -> StandardWebhooksHeaders {
        let timestampText = String(timestamp)
        let signedPrefix = Array("\(messageID).\(timestampText).".utf8)
        let signatures = keys.map { key in
            "v1,"
                + Base64.encode(
                    SignatureAlgorithm.hmacSHA256.authenticationCode(key: key, parts: [signedPrefix, body]))
        }
        return StandardWebhooksHeaders(
            id: messageID, timestamp: timestampText, signature: signatures.joined(separator: " "))
    }
}

extension StandardWebhooksSigner: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "StandardWebhooksSigner(<redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// The `webhook-id`, `webhook-timestamp` and `webhook-signature` headers of a signed delivery.
public struct StandardWebhooksHeaders: Sendable, Hashable {
    public let id: String
    public let timestamp: String
    /// `v1,` followed by the base64 MAC; several of them, space-separated, while a rotation's grace period lasts.
    public let signature: String

    /// The headers as (lower-case name, value) pairs, ready to add to a request.
    public var fields: [(name: String, value: String)] {
        [("webhook-id", id), ("webhook-timestamp", timestamp), ("webhook-signature", signature)]
    }
}
