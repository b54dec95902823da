extension SignatureVerifier {
    /// `slack`: `X-Slack-Signature` is exactly `v0=` and the lower-case hex HMAC-SHA256 of
    /// `v0:{X-Slack-Request-Timestamp}:{body}` under the UTF-8 bytes of the secret.
    func verifySlack(
        body: some Collection<UInt8>,
        request: SignedRequest,
        now: Int64
    ) -> Result<Void, SignatureRejection> {
        let timestamp: String
        let signature: String
        switch (request.header("x-slack-request-timestamp"), request.header("x-slack-signature")) {
        case (.success(let foundTimestamp), .success(let foundSignature)):
            (timestamp, signature) = (foundTimestamp, foundSignature)
        case (.failure(let reason), _), (_, .failure(let reason)):
            return .failure(reason)
        }
        if case .failure(let reason) = Self.checkTimestamp(timestamp, now: now) { return .failure(reason) }

        guard signature.hasPrefix("v0=") else { return .failure(.prefixMismatch) }
        guard let digest = Hex.decode(signature.dropFirst(3)), digest.count == 32 else {
            return .failure(.malformedSignature)
        }
        let signedPrefix = Array("v0:\(timestamp):".utf8)
        guard matchesAnyKey([digest], algorithm: .hmacSHA256, parts: [signedPrefix, body]) else {
            return .failure(.signatureMismatch)
        }
        return .success(())
    }
}
