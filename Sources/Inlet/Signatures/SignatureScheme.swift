/// How an event source authenticates inbound webhooks (`signature_scheme`).
///
/// The raw values are the API's spelling. `none` is an explicit opt-out: a source with no scheme at all
/// refuses ingest, while a `none` source accepts unsigned requests.
public enum SignatureScheme: String, Sendable, Hashable, CaseIterable, Codable {
    /// An HMAC of the raw body in a configurable header (GitHub, Shopify and most custom senders).
    case hmac
    /// [Standard Webhooks](https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp` and
    /// `webhook-signature`, with a `whsec_` secret.
    case standardWebhooks = "standard-webhooks"
    /// Stripe's `Stripe-Signature: t=…,v1=…`.
    case stripe
    /// Slack's `X-Slack-Signature: v0=…` with `X-Slack-Request-Timestamp`.
    case slack
    /// No verification: every request is accepted.
    case none

    /// The scheme a source uses when none is named: `hmac` if it has a signature header, otherwise no
    /// scheme at all (such a source refuses ingest).
    public static func inferred(signatureHeader: String?) -> SignatureScheme? {
        guard let signatureHeader, !signatureHeader.isEmpty else { return nil }
        return .hmac
    }
}
