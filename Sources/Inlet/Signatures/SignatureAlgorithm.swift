import Crypto

/// The MAC of an `hmac` source (`signature_algorithm`). The other schemes always use HMAC-SHA256.
public enum SignatureAlgorithm: String, Sendable, Hashable, CaseIterable, Codable {
    case hmacSHA256 = "hmac-sha256"
    case hmacSHA512 = "hmac-sha512"
    case hmacSHA1 = "hmac-sha1"

    /// The optional `P=` prefix of a hex signature, as GitHub writes it (`sha256=…`).
    var hexPrefix: String {
        switch self {
        case .hmacSHA256: "sha256"
        case .hmacSHA512: "sha512"
        case .hmacSHA1: "sha1"
        }
    }

    /// The length of the MAC in bytes.
    var digestByteCount: Int {
        switch self {
        case .hmacSHA256: 32
        case .hmacSHA512: 64
        case .hmacSHA1: 20
        }
    }

    /// The MAC of the concatenation of `parts` under `key`, fed to the hash without joining them.
    func authenticationCode(key: [UInt8], parts: [any Collection<UInt8>]) -> [UInt8] {
        switch self {
        case .hmacSHA256: Self.authenticationCode(SHA256.self, key: key, parts: parts)
        case .hmacSHA512: Self.authenticationCode(SHA512.self, key: key, parts: parts)
        case .hmacSHA1: Self.authenticationCode(Insecure.SHA1.self, key: key, parts: parts)
        }
    }

    private static func authenticationCode<Hash: HashFunction>(
        _: Hash.Type,
        key: [UInt8],
        parts: [any Collection<UInt8>]
    ) -> [UInt8] {
        var hmac = HMAC<Hash>(key: SymmetricKey(data: key))
        for part in parts {
            update(&hmac, with: part)
        }
        return Array(hmac.finalize())
    }

    private static func update<Hash: HashFunction>(_ hmac: inout HMAC<Hash>, with part: some Collection<UInt8>) {
        let handled: Void? = part.withContiguousStorageIfAvailable { buffer in
            hmac.update(data: UnsafeRawBufferPointer(buffer))
        }
        if handled == nil {
            hmac.update(data: Array(part))
        }
    }
}
