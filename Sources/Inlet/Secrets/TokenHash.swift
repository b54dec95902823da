import Crypto

/// The SHA-256 of an API token's UTF-8 text: what the database stores (as `bytea`, or as ``hex``) and
/// what authentication looks up. The hash reveals nothing usable about the token, so it may be logged.
public struct TokenHash: Sendable, Hashable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    public init(of token: APIToken) {
        self.bytes = Array(SHA256.hash(data: Array(token.unredactedText.utf8)))
    }

    /// A hash read back from storage; `nil` unless it is 32 bytes.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        self.bytes = Array(bytes)
    }

    /// A hash read back from its ``hex`` form; `nil` unless it is 64 lower-case hex digits.
    public init?(hex: String) {
        guard let bytes = Hex.decode(hex) else { return nil }
        self.init(bytes: bytes)
    }

    /// 64 lower-case hex digits.
    public var hex: String { Hex.encode(bytes) }

    public var description: String { "sha256:" + hex }

    /// The lower-case hex SHA-256 of `text`'s UTF-8 bytes.
    public static func sha256Hex(_ text: String) -> String {
        TokenHash(of: APIToken(text)).hex
    }
}
