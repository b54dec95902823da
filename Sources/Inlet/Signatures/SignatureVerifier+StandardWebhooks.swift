extension SignatureVerifier {
    /// `standard-webhooks`: HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}` with the decoded
    /// `whsec_` key; `webhook-signature` is a space-separated list of `version,base64` entries, and any
    /// `v1` entry that matches is enough. Returns the `webhook-id` as the idempotency key.
    func verifyStandardWebhooks(
        body: some Collection<UInt8>,
        request: SignedRequest,
        now: Int64
    ) -> Result<String?, SignatureRejection> {
        let id: String
        let timestamp: String
        let signatureList: String
        switch (request.header("webhook-id"), request.header("webhook-timestamp"), request.header("webhook-signature"))
        {
        case (.success(let foundID), .success(let foundTimestamp), .success(let foundSignatures)):
            (id, timestamp, signatureList) = (foundID, foundTimestamp, foundSignatures)
        case (.failure(let reason), _, _), (_, .failure(let reason), _), (_, _, .failure(let reason)):
            return .failure(reason)
        }
        if case .failure(let reason) = Self.checkTimestamp(timestamp, now: now) { return .failure(reason) }

        var candidates: [[UInt8]] = []
        var sawVersion1 = false
        for entry in signatureList.split(separator: " ") {
            guard let comma = entry.firstIndex(of: ","), entry[..<comma] == "v1" else { continue }
            sawVersion1 = true
            if let signature = Base64.decode(entry[entry.index(after: comma)...]), signature.count == 32 {
                candidates.append(signature)
            }
        }
        guard sawVersion1 else { return .failure(.noSignature) }
        guard !candidates.isEmpty else { return .failure(.malformedSignature) }

        let signedPrefix = Array("\(id).\(timestamp).".utf8)
        guard matchesAnyKey(candidates, algorithm: .hmacSHA256, parts: [signedPrefix, body]) else {
            return .failure(.signatureMismatch)
        }
        return .success(id)
    }
}
