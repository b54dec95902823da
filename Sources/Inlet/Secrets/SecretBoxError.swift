/// Why a key could not be loaded or a sealed secret could not be opened.
///
/// Messages never contain key material or plaintext, so they are safe to log.
public struct SecretBoxError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// `INLET_SECRET_KEY` (or a key given in code) is not a 32-byte key in base64 or hex.
        case invalidKey = "invalid_secret_key"
        /// A box needs at least one key.
        case noKeys = "no_secret_keys"
        /// The stored bytes are too short or have an unknown version.
        case malformed = "malformed_sealed_secret"
        /// The platform's AES-GCM implementation refused to encrypt (not expected in practice).
        case encryptionFailed = "secret_encryption_failed"
        /// No key opens the sealed bytes: they were sealed under another key, or altered.
        case authenticationFailed = "secret_authentication_failed"
    }

    public let code: Code
    public let message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
