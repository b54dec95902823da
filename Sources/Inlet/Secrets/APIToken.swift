/// A bearer token for the `/v1` API: `inl_` followed by the unpadded base64url of 32 random bytes.
///
/// Tokens are shown once, at creation; the database keeps only their ``TokenHash``. A token never
/// prints: `description`, `debugDescription` and reflection show `inl_<redacted>`.
public struct APIToken: Sendable, Hashable {
    /// The prefix every token starts with, so leaked tokens are easy to recognise and scan for.
    public static let prefix = "inl_"
    /// The number of random bytes in a generated token.
    public static let randomByteCount = 32

    /// The token text. Never log it.
    public let unredactedText: String

    /// A token as presented by a client (`Authorization: Bearer …`).
    public init(_ text: String) {
        self.unredactedText = text
    }

    /// A new token from the system's secure random generator.
    public static func generate() -> APIToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<randomByteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return APIToken(prefix + Base64.encodeURLSafe(bytes))
    }

    /// Whether the text has the shape of a generated token: the prefix then 43 base64url characters.
    /// A request whose token fails this check can be refused without a database lookup.
    public var hasValidFormat: Bool {
        guard unredactedText.hasPrefix(Self.prefix) else { return false }
        let body = unredactedText.utf8.dropFirst(Self.prefix.utf8.count)
        return body.count == 43
            && body.allSatisfy { character in
                switch character {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                    true
                default:
                    false
                }
            }
    }

    /// The SHA-256 of the token text, the form in which it is stored and looked up.
    public var hash: TokenHash { TokenHash(of: self) }
}

extension APIToken: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "inl_<redacted>" }
    public var debugDescription: String { "APIToken(inl_<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
