/// When a failed job run is tried again: exponential backoff with full jitter, capped.
///
/// After the `n`-th failed attempt the upper bound is `min(maximum, base · 2^(n−1))` and the delay is
/// drawn uniformly from `[0, upper bound]` ("full jitter"), which spreads the retries of runs that
/// failed together. With the defaults (1 s base, 1 h cap) the bound reaches the cap after attempt 13.
/// A target's `Retry-After` replaces the random delay, capped at the same maximum.
public struct RetryBackoff: Sendable, Hashable {
    /// The upper bound after the first failed attempt.
    public let base: Duration
    /// The longest delay ever returned.
    public let maximum: Duration

    /// Inlet's policy: 1 s doubling, capped at one hour.
    public static let standard = RetryBackoff()

    /// Negative durations are treated as zero, and a `maximum` below `base` caps every delay at `maximum`.
    public init(base: Duration = .seconds(1), maximum: Duration = .seconds(3600)) {
        self.base = max(base, .zero)
        self.maximum = max(maximum, .zero)
    }

    /// The largest delay after failed attempt number `attempt` (1 for the first). Attempts below 1 count
    /// as 1.
    public func upperBound(afterAttempt attempt: Int) -> Duration {
        .nanoseconds(upperBoundNanoseconds(afterAttempt: attempt))
    }

    /// A random delay in `[0, upperBound(afterAttempt: attempt)]`, to the nanosecond.
    public func delay(afterAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let upper = UInt64(upperBoundNanoseconds(afterAttempt: attempt))
        return .nanoseconds(Int64(UInt64.random(in: 0...upper, using: &generator)))
    }

    /// The delay after failed attempt `attempt`: the target's `Retry-After` when it sent one (capped at
    /// ``maximum``), otherwise a jittered delay.
    public func delay(
        afterAttempt attempt: Int,
        retryAfter: RetryAfter?,
        using generator: inout some RandomNumberGenerator
    ) -> Duration {
        if let retryAfter {
            return min(retryAfter.delay, maximum)
        }
        return delay(afterAttempt: attempt, using: &generator)
    }

    private func upperBoundNanoseconds(afterAttempt attempt: Int) -> Int64 {
        let cap = maximum.totalNanoseconds
        let start = min(base.totalNanoseconds, cap)
        let doublings = max(attempt, 1) - 1
        // start · 2^doublings, stopping at the cap before it can overflow.
        guard start > 0 else { return 0 }
        guard doublings < Int64.bitWidth - 1, start <= cap >> Int64(doublings) else { return cap }
        return min(start << Int64(doublings), cap)
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating at `Int64.max`.
    var totalNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, sumOverflow) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        return sumOverflow ? .max : total
    }
}
