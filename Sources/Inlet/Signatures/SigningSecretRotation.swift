/// A source's signing secrets across a rotation: the current secret and, for a grace period after
/// `rotate-secret`, the one it replaced, so senders can switch over without failed deliveries.
public struct SigningSecretRotation: Sendable, Hashable {
    /// How long a replaced secret keeps working unless configured otherwise: 24 hours.
    public static let defaultGracePeriod: Int64 = 24 * 3600

    public let current: SigningSecret
    public let previous: SigningSecret?
    /// When `previous` stops being accepted, in Unix seconds.
    public let previousExpiresAt: Int64?

    public init(current: SigningSecret, previous: SigningSecret? = nil, previousExpiresAt: Int64? = nil) {
        self.current = current
        self.previous = previous
        self.previousExpiresAt = previousExpiresAt
    }

    /// The state after replacing the current secret with `newSecret` at `now`: the old secret stays
    /// valid for `gracePeriod` seconds.
    public func rotated(
        to newSecret: SigningSecret,
        now: Int64,
        gracePeriod: Int64 = defaultGracePeriod
    ) -> SigningSecretRotation {
        SigningSecretRotation(current: newSecret, previous: current, previousExpiresAt: now + gracePeriod)
    }

    /// The secrets a request may be signed with at `now`, current first. The previous secret is included
    /// until `previousExpiresAt` (exclusive); with no expiry recorded it is included.
    public func activeSecrets(now: Int64) -> [SigningSecret] {
        guard let previous else { return [current] }
        if let previousExpiresAt, now >= previousExpiresAt { return [current] }
        return [current, previous]
    }
}
