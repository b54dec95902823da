import Foundation

/// A job's circuit breaker: `closed` delivers normally; `open` holds the job's runs `queued` (no attempt is used)
/// until `probe_at`, when one probe run may start, making it `half_open`; the probe's success closes it, its failure
/// opens it again with twice the interval.
public enum CircuitState: String, Sendable, Hashable, CaseIterable {
    case closed
    case open
    case halfOpen = "half_open"
}

/// What `GET /v1/jobs/{id}` shows of a job's runtime state.
public struct JobCircuit: Sendable, Equatable {
    public var state: CircuitState
    /// When the circuit entered its state (`nil` for a circuit that never opened).
    public var since: Date?
    public var consecutiveFailures: Int
    public var lastError: String?
    /// While open: when the next probe may start.
    public var nextProbeAt: Date?
    /// Runs of the job running now that hold one of its `max_concurrency` slots.
    public var running: Int

    public init(
        state: CircuitState = .closed, since: Date? = nil, consecutiveFailures: Int = 0, lastError: String? = nil,
        nextProbeAt: Date? = nil, running: Int = 0
    ) {
        self.state = state
        self.since = since
        self.consecutiveFailures = consecutiveFailures
        self.lastError = lastError
        self.nextProbeAt = nextProbeAt
        self.running = running
    }
}
