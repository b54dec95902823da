import Crypto

/// A 256-bit AES key for ``SecretBox``, usually parsed from `INLET_SECRET_KEY`.
///
/// It never prints: `description`, `debugDescription` and reflection show `<redacted>`.
public struct SecretKey: Sendable {
    /// The size of a key in bytes.
    public static let byteCount = 32

    let symmetricKey: SymmetricKey

    /// A key from its raw bytes, which must number exactly 32.
    public init(bytes: some Collection<UInt8>) throws(SecretBoxError) {
        guard bytes.count == Self.byteCount else {
            throw SecretBoxError(
                code: .invalidKey, message: "a secret key must be 32 bytes, not \(bytes.count)")
        }
        self.symmetricKey = SymmetricKey(data: Array(bytes))
    }

    /// A key from its configuration text: 64 hex digits (either case) or the standard, padded base64 of
    /// 32 bytes (`openssl rand -base64 32`). Surrounding whitespace is ignored.
    public init(parsing text: String) throws(SecretBoxError) {
        let trimmed = text.trimmingASCIIWhitespace()
        guard !trimmed.isEmpty else {
            throw SecretBoxError(code: .invalidKey, message: "the secret key is empty")
        }
        if trimmed.utf8.count == 2 * Self.byteCount, let bytes = Hex.decode(trimmed, allowingUpperCase: true) {
            try self.init(bytes: bytes)
        } else if let bytes = Base64.decode(trimmed) {
            guard bytes.count == Self.byteCount else {
                throw SecretBoxError(
                    code: .invalidKey,
                    message: "the secret key decodes to \(bytes.count) bytes; it must be 32 (openssl rand -base64 32)")
            }
            try self.init(bytes: bytes)
        } else {
            throw SecretBoxError(
                code: .invalidKey,
                message: "the secret key must be 64 hex characters or the base64 of 32 bytes (openssl rand -base64 32)")
        }
    }

    /// A new random key, for setting up an installation or a test.
    public static func generate() -> SecretKey {
        SecretKey(symmetricKey: SymmetricKey(size: .bits256))
    }

    private init(symmetricKey: SymmetricKey) {
        self.symmetricKey = symmetricKey
    }

    /// The key as standard base64, the form ``init(parsing:)`` reads; for printing a newly generated
    /// `INLET_SECRET_KEY` once. Never log it.
    public var unredactedBase64: String {
        symmetricKey.withUnsafeBytes { Base64.encode($0) }
    }
}

extension SecretKey: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "<redacted>" }
    public var debugDescription: String { "SecretKey(<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
