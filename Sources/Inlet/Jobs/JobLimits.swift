/// A job's delivery limits, enforced by the claim statement across every worker process.
public struct JobLimits: Sendable, Equatable {
    /// Most runs of the job running at once; `nil` for no limit.
    public var maxConcurrency: Int?
    /// Most starts per second, with a burst; `nil` for no limit.
    public var rateLimit: RateLimit?
    /// Consecutive failed attempts that open the job's circuit; `nil` turns the breaker off.
    public var breakerThreshold: Int?
    /// How long an open circuit waits before its first probe (doubled after each failed probe, up to 5 minutes or
    /// this value if longer).
    public var breakerProbeSeconds: Int

    public init(
        maxConcurrency: Int? = nil, rateLimit: RateLimit? = nil, breakerThreshold: Int? = Self.defaultBreakerThreshold,
        breakerProbeSeconds: Int = Self.defaultBreakerProbeSeconds
    ) {
        self.maxConcurrency = maxConcurrency
        self.rateLimit = rateLimit
        self.breakerThreshold = breakerThreshold
        self.breakerProbeSeconds = breakerProbeSeconds
    }

    /// The default for a job of `kind`: `http` jobs run at most ``defaultHTTPConcurrency`` deliveries at once, so
    /// one slow target cannot hold every worker slot; other kinds have no concurrency limit.
    public static func defaults(for kind: JobKind) -> JobLimits {
        JobLimits(maxConcurrency: kind == .http ? defaultHTTPConcurrency : nil)
    }

    public static let defaultHTTPConcurrency = 16
    public static let defaultBreakerThreshold = 10
    public static let defaultBreakerProbeSeconds = 5
    public static let maxConcurrencyRange = 1...100_000
    public static let breakerThresholdRange = 1...10_000
    public static let breakerProbeSecondsRange = 1...3600

    /// A token bucket: `perSecond` starts per second on average, at most `burst` at once.
    public struct RateLimit: Sendable, Equatable {
        public var perSecond: Double
        public var burst: Int

        public init(perSecond: Double, burst: Int) {
            self.perSecond = perSecond
            self.burst = burst
        }

        public static let perSecondRange = 0.001...100_000.0
        public static let burstRange = 1...100_000
    }
}
