import Crypto
import Foundation

/// Encrypts signing secrets for storage with AES-256-GCM under `INLET_SECRET_KEY`.
///
/// Sealed format (stored as `bytea`): version byte `0x01`, 12-byte random nonce, ciphertext, 16-byte tag.
/// The version byte and an optional caller-chosen context (for example the owning row's id) are
/// authenticated as associated data, so sealed bytes copied to another row fail to open.
///
/// Key rotation: a box holds one or more keys. The first seals; opening tries each in turn. To rotate,
/// put the new key first and keep the old one until every stored secret has been re-sealed.
public struct SecretBox: Sendable {
    /// The version byte of the current format.
    static let version: UInt8 = 1
    static let nonceByteCount = 12
    static let tagByteCount = 16

    private let keys: [SecretKey]

    /// - Throws: ``SecretBoxError`` with code `noKeys` if `keys` is empty.
    public init(keys: [SecretKey]) throws(SecretBoxError) {
        guard !keys.isEmpty else {
            throw SecretBoxError(code: .noKeys, message: "at least one secret key is needed")
        }
        self.keys = keys
    }

    /// A box from the `INLET_SECRET_KEY` setting: one key, or several separated by commas, the current
    /// key first (see ``SecretKey/init(parsing:)`` for the key forms).
    public init(configuration: String) throws(SecretBoxError) {
        var keys: [SecretKey] = []
        for part in configuration.split(separator: ",", omittingEmptySubsequences: false) {
            keys.append(try SecretKey(parsing: String(part)))
        }
        try self.init(keys: keys)
    }

    /// Encrypts `plaintext` under the current key with a fresh random nonce.
    public func seal(_ plaintext: some Collection<UInt8>, context: String = "") throws(SecretBoxError) -> [UInt8] {
        do {
            let box = try AES.GCM.seal(
                Array(plaintext), using: keys[0].symmetricKey, nonce: AES.GCM.Nonce(),
                authenticating: Self.associatedData(context))
            var sealed = [Self.version]
            sealed.reserveCapacity(1 + Self.nonceByteCount + box.ciphertext.count + Self.tagByteCount)
            box.nonce.withUnsafeBytes { sealed.append(contentsOf: $0) }
            sealed.append(contentsOf: box.ciphertext)
            sealed.append(contentsOf: box.tag)
            return sealed
        } catch {
            throw SecretBoxError(code: .encryptionFailed, message: "the secret could not be encrypted")
        }
    }

    /// Decrypts bytes made by ``seal(_:context:)`` with any of the box's keys and the same context.
    ///
    /// - Throws: ``SecretBoxError``: `malformed` for bytes too short or of an unknown version,
    ///   `authenticationFailed` when no key opens them (another key, another context, or altered bytes).
    public func open(_ sealed: some Collection<UInt8>, context: String = "") throws(SecretBoxError) -> [UInt8] {
        let bytes = Array(sealed)
        guard bytes.count >= 1 + Self.nonceByteCount + Self.tagByteCount else {
            throw SecretBoxError(code: .malformed, message: "the sealed secret is too short")
        }
        guard bytes[0] == Self.version else {
            throw SecretBoxError(code: .malformed, message: "the sealed secret has unknown version \(bytes[0])")
        }
        let nonceEnd = 1 + Self.nonceByteCount
        let tagStart = bytes.count - Self.tagByteCount
        let associatedData = Self.associatedData(context)
        for key in keys {
            if let box = try? AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: bytes[1..<nonceEnd]), ciphertext: bytes[nonceEnd..<tagStart],
                tag: bytes[tagStart...]),
                let plaintext = try? AES.GCM.open(box, using: key.symmetricKey, authenticating: associatedData)
            {
                return Array(plaintext)
            }
        }
        throw SecretBoxError(
            code: .authenticationFailed, message: "the sealed secret does not open with any configured key")
    }

    /// Encrypts a signing secret's text.
    public func seal(_ secret: SigningSecret, context: String = "") throws(SecretBoxError) -> [UInt8] {
        try seal(Array(secret.unredactedText.utf8), context: context)
    }

    /// Decrypts a signing secret sealed by ``seal(_:context:)-(SigningSecret,_)``.
    public func openSigningSecret(_ sealed: some Collection<UInt8>, context: String = "") throws(SecretBoxError)
        -> SigningSecret
    {
        let plaintext = try open(sealed, context: context)
        guard let text = String(validating: plaintext, as: UTF8.self) else {
            throw SecretBoxError(code: .malformed, message: "the sealed secret is not UTF-8 text")
        }
        return SigningSecret(text)
    }

    private static func associatedData(_ context: String) -> [UInt8] {
        [version] + Array(context.utf8)
    }
}

extension SecretBox: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "SecretBox(\(keys.count) keys, <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
