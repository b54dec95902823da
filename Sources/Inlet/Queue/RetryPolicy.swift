/// When and whether a failed job run is tried again: a job's `retry_policy`.
///
/// The delay after the `n`-th failed attempt comes from the ``schedule`` (an explicit list, whose last delay
/// repeats, or exponential parameters), then jitter draws it uniformly from `[d·(1 − jitter), d]`, so a retry never
/// comes later than scheduled and runs that failed together spread out. A target's `Retry-After` replaces the
/// drawn delay, capped at the schedule's longest delay. An answer whose status is not retryable ends the run at
/// once; so does a next attempt that would start more than ``maxAge`` after the first one. The job's
/// `max_attempts` still bounds the number of attempts (the queue applies it).
public struct RetryPolicy: Sendable, Hashable {
    public enum Schedule: Sendable, Hashable {
        /// The delay after attempt `n` is entry `n − 1`; attempts past the end reuse the last entry.
        case delays([Duration])
        /// `initial · multiplier^(n−1)`, capped at `maximum`.
        case exponential(initial: Duration, maximum: Duration, multiplier: Double)
    }

    public var schedule: Schedule
    /// The fraction of each delay that may be taken off at random, 0…1 (1 is "full jitter").
    public var jitter: Double
    /// The longest time from the start of the first attempt to the start of a retry; `nil`: no limit.
    public var maxAge: Duration?
    public var nonRetryableStatuses: StatusRule
    /// Statuses retried even when ``nonRetryableStatuses`` names them (or their class).
    public var retryableStatuses: Set<Int>

    /// The default schedule: 9 retries over about 31.6 hours (10 s, 1 min, 5 min, 30 min, 1 h, 2 h, 4 h, 8 h,
    /// 16 h); with the default jitter of 0.2 the last retry comes at least 25.3 hours after the first failure.
    public static let defaultDelays: [Duration] = [
        .seconds(10), .seconds(60), .seconds(300), .seconds(1800), .seconds(3600), .seconds(7200), .seconds(14_400),
        .seconds(28_800), .seconds(57_600),
    ]
    public static let defaultJitter = 0.2
    /// 4xx answers other than these are not retried by default: the request itself is wrong, retrying cannot help.
    public static let defaultRetryableStatuses: Set<Int> = [408, 425, 429]

    /// The policy of jobs that set none.
    public static let standard = RetryPolicy(
        schedule: .delays(defaultDelays), jitter: defaultJitter, maxAge: nil,
        nonRetryableStatuses: StatusRule(classes: [4]), retryableStatuses: defaultRetryableStatuses)

    public init(
        schedule: Schedule, jitter: Double = RetryPolicy.defaultJitter, maxAge: Duration? = nil,
        nonRetryableStatuses: StatusRule = StatusRule(classes: [4]),
        retryableStatuses: Set<Int> = RetryPolicy.defaultRetryableStatuses
    ) {
        self.schedule = schedule
        self.jitter = jitter.isFinite ? min(max(jitter, 0), 1) : Self.defaultJitter
        self.maxAge = maxAge
        self.nonRetryableStatuses = nonRetryableStatuses
        self.retryableStatuses = retryableStatuses
    }

    /// HTTP statuses named one by one or by class (`4` for every 4xx).
    public struct StatusRule: Sendable, Hashable {
        public var codes: Set<Int>
        public var classes: Set<Int>
        public init(codes: Set<Int> = [], classes: Set<Int> = []) {
            self.codes = codes
            self.classes = classes
        }
        public func contains(_ status: Int) -> Bool { codes.contains(status) || classes.contains(status / 100) }
    }

    /// Why a run ended `dead`, as recorded in `job_runs.dead_reason`.
    public enum DeadReason: String, Sendable, Hashable, CaseIterable {
        /// `max_attempts` attempts failed (decided by the queue).
        case attemptsExhausted = "attempts_exhausted"
        /// The target answered a status the policy does not retry.
        case nonRetryableStatus = "non_retryable_status"
        /// The next attempt would start after the policy's `max_age`.
        case maxAgeExceeded = "max_age_exceeded"
    }

    public enum Decision: Sendable, Hashable {
        case retry(after: Duration)
        case giveUp(DeadReason)
    }

    /// Whether an answer with this status may be retried.
    public func isRetryable(status: Int) -> Bool {
        retryableStatuses.contains(status) || !nonRetryableStatuses.contains(status)
    }

    /// The scheduled (unjittered) delay after failed attempt `attempt` (1 for the first; below 1 counts as 1).
    public func nominalDelay(afterAttempt attempt: Int) -> Duration {
        let index = max(attempt, 1) - 1
        switch schedule {
        case .delays(let delays):
            guard let last = delays.last else { return .zero }
            return index < delays.count ? delays[index] : last
        case .exponential(let initial, let maximum, let multiplier):
            let cap = Double(maximum.totalNanoseconds)
            let value = Double(initial.totalNanoseconds) * power(multiplier, Double(min(index, 10_000)))
            return .nanoseconds(Int64(min(value.isFinite ? value : cap, cap)))
        }
    }

    /// The longest delay the schedule ever asks for; `Retry-After` is capped at it.
    public var longestDelay: Duration {
        switch schedule {
        case .delays(let delays): delays.max() ?? .zero
        case .exponential(_, let maximum, _): maximum
        }
    }

    /// What follows failed attempt `attempt`: its status (when the target answered), the target's `Retry-After`,
    /// and `sinceFirstAttempt`, the time from the start of the run's first attempt to now.
    public func decision(
        afterAttempt attempt: Int, status: Int?, retryAfter: RetryAfter?, sinceFirstAttempt: Duration,
        using generator: inout some RandomNumberGenerator
    ) -> Decision {
        if let status, !isRetryable(status: status) { return .giveUp(.nonRetryableStatus) }
        let delay: Duration
        if let retryAfter {
            delay = min(retryAfter.delay, longestDelay)
        } else {
            delay = jittered(nominalDelay(afterAttempt: attempt), using: &generator)
        }
        if let maxAge, sinceFirstAttempt + delay > maxAge { return .giveUp(.maxAgeExceeded) }
        return .retry(after: delay)
    }

    /// A delay drawn uniformly from `[d·(1 − jitter), d]`, to the nanosecond.
    func jittered(_ delay: Duration, using generator: inout some RandomNumberGenerator) -> Duration {
        let upper = max(delay.totalNanoseconds, 0)
        let lower = upper - Int64(Double(upper) * jitter)
        guard lower < upper else { return .nanoseconds(upper) }
        return .nanoseconds(Int64.random(in: lower...upper, using: &generator))
    }
}

private func power(_ base: Double, _ exponent: Double) -> Double {
    // Repeated squaring keeps Foundation out of the core.
    var result = 1.0
    var factor = base
    var remaining = Int(exponent)
    while remaining > 0 {
        if remaining & 1 == 1 { result *= factor }
        factor *= factor
        remaining >>= 1
        if !result.isFinite { return .infinity }
    }
    return result
}
