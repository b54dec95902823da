extension SignatureVerifier {
    /// `stripe`: `Stripe-Signature: t=…,v1=…[,v1=…]` holds the lower-case hex HMAC-SHA256 of `{t}.{body}`
    /// under the UTF-8 bytes of the whole secret (`whsec_` included). Items are split at their first `=`;
    /// keys other than `t` and `v1` are ignored, and any matching `v1` is enough. Like the other schemes,
    /// `t` may be at most 300 s old or ahead (Stripe itself does not check the future side).
    func verifyStripe(
        body: some Collection<UInt8>,
        request: SignedRequest,
        now: Int64
    ) -> Result<Void, SignatureRejection> {
        let value: String
        switch request.header("stripe-signature") {
        case .success(let found): value = found
        case .failure(let reason): return .failure(reason)
        }

        var timestamp: Substring?
        var signatures: [Substring] = []
        for item in value.split(separator: ",", omittingEmptySubsequences: false) {
            guard let equals = item.firstIndex(of: "=") else { continue }
            let itemValue = item[item.index(after: equals)...]
            switch item[..<equals] {
            case "t":
                guard timestamp == nil else { return .failure(.malformedHeader) }
                timestamp = itemValue
            case "v1":
                signatures.append(itemValue)
            default:
                continue
            }
        }
        guard let timestamp else { return .failure(.malformedHeader) }
        if case .failure(let reason) = Self.checkTimestamp(String(timestamp), now: now) { return .failure(reason) }
        guard !signatures.isEmpty else { return .failure(.noSignature) }

        let candidates = signatures.compactMap { Hex.decode($0) }.filter { $0.count == 32 }
        guard !candidates.isEmpty else { return .failure(.malformedSignature) }
        let signedPrefix = Array("\(timestamp).".utf8)
        guard matchesAnyKey(candidates, algorithm: .hmacSHA256, parts: [signedPrefix, body]) else {
            return .failure(.signatureMismatch)
        }
        return .success(())
    }
}
