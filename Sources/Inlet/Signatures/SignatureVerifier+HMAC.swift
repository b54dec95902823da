extension SignatureVerifier {
    /// `hmac`: the configured header holds the MAC of the raw body.
    ///
    /// Hex values are `D` or `P=D`, where `P` is the algorithm's own name (`sha256`) and `D` the lower-case
    /// hex digest; any other prefix is a mismatch. Base64 values are the canonical padded base64 of the
    /// digest, with no prefix.
    func verifyHMAC(body: some Collection<UInt8>, request: SignedRequest) -> Result<Void, SignatureRejection> {
        guard let headerName = configuration.header, let algorithm = configuration.algorithm else {
            return .failure(.missingHeader)
        }
        let value: String
        switch request.header(headerName) {
        case .success(let found): value = found
        case .failure(let reason): return .failure(reason)
        }

        let digest: [UInt8]?
        switch configuration.encoding ?? .hex {
        case .hex:
            var text = Substring(value)
            if let separator = text.firstIndex(of: "=") {
                guard text[..<separator] == algorithm.hexPrefix else { return .failure(.prefixMismatch) }
                text = text[text.index(after: separator)...]
            }
            digest = Hex.decode(text)
        case .base64:
            digest = Base64.decode(value)
        }
        guard let digest, digest.count == algorithm.digestByteCount else { return .failure(.malformedSignature) }
        guard matchesAnyKey([digest], algorithm: algorithm, parts: [body]) else {
            return .failure(.signatureMismatch)
        }
        return .success(())
    }
}
