/// A job's outbound secrets as they are sealed in one value: the current secret alone (as before any rotation), or
/// after `rotate-secret` the current secret, the previous one and when the previous one expires. Keeping both in
/// the one sealed value lets a worker sign with both during the grace period from what it already claims.
extension SigningSecretRotation {
    /// `current`, or `current\nprevious\nexpiresAt` (secrets hold no line breaks: ``SigningSecret/generate(for:)``
    /// makes base64 or hex text).
    public var sealedText: String {
        guard let previous else { return current.unredactedText }
        return [current.unredactedText, previous.unredactedText, String(previousExpiresAt ?? 0)]
            .joined(separator: "\n")
    }

    /// Reads ``sealedText``; a text of any other shape is a single current secret.
    public init(sealedText text: String) {
        let parts = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard parts.count == 3, let expiresAt = Int64(parts[2]) else {
            self.init(current: SigningSecret(text))
            return
        }
        self.init(
            current: SigningSecret(String(parts[0])), previous: SigningSecret(String(parts[1])),
            previousExpiresAt: expiresAt)
    }

    /// This state without a previous secret that has expired at `now`.
    public func pruned(now: Int64) -> SigningSecretRotation {
        guard previous != nil, let previousExpiresAt, now >= previousExpiresAt else { return self }
        return SigningSecretRotation(current: current)
    }
}

extension SecretBox {
    /// Encrypts a secret with its rotation state (see ``SigningSecretRotation/sealedText``).
    public func seal(_ rotation: SigningSecretRotation, context: String = "") throws(SecretBoxError) -> [UInt8] {
        try seal(Array(rotation.sealedText.utf8), context: context)
    }

    /// Decrypts what ``seal(_:context:)-(SigningSecretRotation,_)`` or ``seal(_:context:)-(SigningSecret,_)``
    /// sealed.
    public func openSigningSecretRotation(_ sealed: some Collection<UInt8>, context: String = "")
        throws(SecretBoxError) -> SigningSecretRotation
    {
        SigningSecretRotation(sealedText: try openSigningSecret(sealed, context: context).unredactedText)
    }
}
