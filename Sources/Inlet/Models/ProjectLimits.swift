/// A project's fair-share weight and quotas, set by an admin. `nil` members take the deployment's defaults.
public struct ProjectLimits: Sendable, Equatable {
    /// The project's share of the workers against other projects with runnable runs (1 by default).
    public var weight: Int?
    /// Most jobs in the project.
    public var maxJobs: Int?
    /// Most subscriptions on one event source.
    public var maxSubscriptionsPerSource: Int?
    /// Most runs one event may create (fan-out); a dispatch matching more is refused with a 422.
    public var maxRunsPerEvent: Int?
    /// Most dispatches (API and ingest) per second across all API nodes; above it, 429 with `Retry-After`.
    public var maxDispatchesPerSecond: Int?
    /// Most request-body bytes of dispatch and ingest per second across all API nodes, counted when a request
    /// arrives (accepted or refused, since evaluating a payload costs the same either way); above it, 429 with
    /// `Retry-After`. Bounds the work and the database writes one project can cause per second, where
    /// `maxDispatchesPerSecond` bounds the number of stored events.
    public var maxEventBytesPerSecond: Int?

    public init(
        weight: Int? = nil, maxJobs: Int? = nil, maxSubscriptionsPerSource: Int? = nil, maxRunsPerEvent: Int? = nil,
        maxDispatchesPerSecond: Int? = nil, maxEventBytesPerSecond: Int? = nil
    ) {
        self.weight = weight
        self.maxJobs = maxJobs
        self.maxSubscriptionsPerSource = maxSubscriptionsPerSource
        self.maxRunsPerEvent = maxRunsPerEvent
        self.maxDispatchesPerSecond = maxDispatchesPerSecond
        self.maxEventBytesPerSecond = maxEventBytesPerSecond
    }

    public var effectiveWeight: Int { weight ?? Self.defaultWeight }
    public var effectiveMaxJobs: Int { maxJobs ?? Self.defaultMaxJobs }
    public var effectiveMaxSubscriptionsPerSource: Int {
        maxSubscriptionsPerSource ?? Self.defaultMaxSubscriptionsPerSource
    }
    public var effectiveMaxRunsPerEvent: Int { maxRunsPerEvent ?? Self.defaultMaxRunsPerEvent }
    public var effectiveMaxDispatchesPerSecond: Int { maxDispatchesPerSecond ?? Self.defaultMaxDispatchesPerSecond }
    public var effectiveMaxEventBytesPerSecond: Int { maxEventBytesPerSecond ?? Self.defaultMaxEventBytesPerSecond }

    public static let defaultWeight = 1
    public static let defaultMaxJobs = 100_000
    public static let defaultMaxSubscriptionsPerSource = 100_000
    public static let defaultMaxRunsPerEvent = 1000
    public static let defaultMaxDispatchesPerSecond = 10_000
    /// 4 MiB/s: 4,000 events of 1 KiB per second (above one API node's dispatch rate on a small machine), or four
    /// at the 1 MiB body limit.
    public static let defaultMaxEventBytesPerSecond = 4 * 1024 * 1024

    public static let weightRange = 1...1000
    public static let quotaRange = 0...10_000_000
    public static let positiveQuotaRange = 1...10_000_000
    public static let byteRateRange = 1024...(1 << 40)
}
