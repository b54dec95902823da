import Foundation
import Inlet

/// A stored event.
public struct Event: Sendable, Equatable {
    public var id: UUID
    public var projectID: UUID
    public var sourceID: UUID
    public var idempotencyKey: String?
    public var payload: JSONValue
    public var headers: JSONValue
    public var via: String
    public var verification: String?
    public var requestID: String?
    public var dispatched: Int
    public var receivedAt: Date
    /// The `ordering_key` the dispatch gave (replays give it to their runs again).
    public var orderingKey: String? = nil
}

/// A stored job run, with its attempts when read one at a time.
public struct JobRun: Sendable, Equatable {
    public var id: UUID
    public var projectID: UUID
    public var eventID: UUID
    public var jobID: UUID
    public var subscriptionID: UUID?
    public var status: String
    public var attempt: Int
    public var maxAttempts: Int
    public var runAt: Date
    public var lockedBy: String?
    public var leaseUntil: Date?
    public var lastError: String?
    public var requestID: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var finishedAt: Date?
    public var attempts: [RunAttempt]?
    /// Why a `dead` run gave up (`attempts_exhausted`, `non_retryable_status`, `max_age_exceeded`).
    public var deadReason: String?
    /// When a delayed run was asked to start (`deliver_at` or `delay_ms` at dispatch); `nil` for immediate runs.
    public var deliverAt: Date?
    /// The run's ordering key: runs of one job with one key start one at a time, in dispatch order.
    public var orderingKey: String? = nil
    /// Whether the run waits for an earlier live run of its key (it is `queued` meanwhile).
    public var orderingBlocked: Bool = false
}

/// One finished attempt of a run.
public struct RunAttempt: Sendable, Equatable {
    public var attempt: Int
    public var startedAt: Date
    public var finishedAt: Date
    public var durationMilliseconds: Int
    public var outcome: String
    public var statusCode: Int?
    public var error: String?
    public var responseExcerpt: String?
    public var worker: String?
}
