/// Which request headers are stored with an event, so filters can route on them with `$headers`.
///
/// Content type and user agent, every `x-*-event`, `x-*-topic` and `x-*-delivery` header (GitHub's
/// `X-GitHub-Event`, GitLab's `X-Gitlab-Event`, Shopify's `X-Shopify-Topic`, …), `webhook-id`, and the source's
/// own idempotency header. Never credentials or signatures.
public enum RecordedHeaders {
    static let exact: Set<String> = ["content-type", "user-agent", "webhook-id"]
    public static let maximumValueLength = 512

    /// The headers to record from `headers` (names lower-cased).
    public static func select(from headers: [(name: String, value: String)], idempotencyHeader: String? = nil)
        -> [String: String]
    {
        let extra = idempotencyHeader?.lowercased()
        var recorded: [String: String] = [:]
        for (name, value) in headers {
            let lowered = name.lowercased()
            guard value.utf8.count <= maximumValueLength else { continue }
            let provider =
                lowered.hasPrefix("x-")
                && (lowered.hasSuffix("-event") || lowered.hasSuffix("-topic") || lowered.hasSuffix("-delivery"))
            if exact.contains(lowered) || provider || lowered == extra { recorded[lowered] = value }
        }
        return recorded
    }
}
