/// A webhook signing secret, exactly as configured.
///
/// It never prints: `description`, `debugDescription` and reflection all show `<redacted>`, so a secret
/// that reaches a log line or an error message by accident stays hidden. Read ``unredactedText`` only to
/// compute MACs, to encrypt it for storage, or to return it in a create or rotate response.
public struct SigningSecret: Sendable, Hashable {
    /// The secret text. Never log it.
    public let unredactedText: String

    public init(_ text: String) {
        self.unredactedText = text
    }

    /// The prefix of Standard Webhooks secrets; the base64 key follows it.
    public static let standardWebhooksPrefix = "whsec_"

    /// A new random secret of 32 bytes from the system's secure generator, in the form `scheme` expects.
    ///
    /// - `standard-webhooks` and `stripe`: `whsec_` followed by the standard base64 of the bytes, the form
    ///   those providers issue (Standard Webhooks decodes the base64 to get its key).
    /// - `hmac`, `slack` and `none`: 64 lower-case hex characters, which paste safely into any provider's
    ///   settings page.
    public static func generate(for scheme: SignatureScheme) -> SigningSecret {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        switch scheme {
        case .standardWebhooks, .stripe:
            return SigningSecret(standardWebhooksPrefix + Base64.encode(bytes))
        case .hmac, .slack, .none:
            return SigningSecret(Hex.encode(bytes))
        }
    }

    /// The HMAC key bytes for `scheme`: the base64-decoded key after `whsec_` for Standard Webhooks, the
    /// UTF-8 bytes of the text for every other scheme. `nil` for a malformed Standard Webhooks secret.
    func key(for scheme: SignatureScheme) -> [UInt8]? {
        guard scheme == .standardWebhooks else { return Array(unredactedText.utf8) }
        guard unredactedText.hasPrefix(Self.standardWebhooksPrefix) else { return nil }
        return Base64.decode(unredactedText.dropFirst(Self.standardWebhooksPrefix.count))
    }
}

extension SigningSecret: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "<redacted>" }
    public var debugDescription: String { "SigningSecret(<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
