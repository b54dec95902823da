/// How an `hmac` source's signature header spells the MAC (`signature_encoding`).
public enum SignatureEncoding: String, Sendable, Hashable, CaseIterable, Codable {
    /// Lower-case hex, optionally after the algorithm's prefix (`sha256=`).
    case hex
    /// Canonical, padded standard base64 (Shopify).
    case base64
}
