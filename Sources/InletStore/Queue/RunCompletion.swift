import Foundation
import Inlet

/// How one attempt ended, as recorded in `run_attempts.outcome`.
public enum AttemptOutcome: String, Sendable, Hashable, CaseIterable {
    case succeeded
    case failed
    case timeout
    /// The worker stopped heartbeating; recorded by the rescue, never by a worker.
    case leaseExpired = "lease_expired"
}

/// The end of one attempt, handed to ``JobRunQueue/complete(_:workerID:)``.
///
/// A success makes the run `succeeded`; a failure or timeout requeues it `retryDelay` from the database's
/// `now()`, or makes it `dead` when its attempts are spent.
public struct RunCompletion: Sendable {
    public let lease: RunLease
    public let outcome: AttemptOutcome
    public let startedAt: Date
    public let finishedAt: Date
    public let durationMilliseconds: Int
    public let statusCode: Int?
    public let error: String?
    /// At most ``maximumExcerptBytes`` of the response body.
    public let responseExcerpt: String?
    /// How long after now a failed run waits before its next attempt; ignored for successes.
    public let retryDelay: Duration
    /// Set when a failed run must not be retried whatever its attempts left (its retry policy gave up): it ends
    /// `dead` with this reason.
    public let deadReason: RetryPolicy.DeadReason?

    /// The most bytes of a response body kept with an attempt.
    public static let maximumExcerptBytes = 1024
    /// The most bytes of an error message kept with an attempt.
    public static let maximumErrorBytes = 4096

    public init(
        lease: RunLease, outcome: AttemptOutcome, startedAt: Date, finishedAt: Date, durationMilliseconds: Int,
        statusCode: Int? = nil, error: String? = nil, responseExcerpt: String? = nil, retryDelay: Duration = .zero,
        deadReason: RetryPolicy.DeadReason? = nil
    ) {
        precondition(outcome != .leaseExpired, "lease_expired attempts are recorded by the rescue")
        self.lease = lease
        self.outcome = outcome
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationMilliseconds = max(0, durationMilliseconds)
        self.statusCode = statusCode
        self.error = error.map { Self.storable($0, maximumBytes: Self.maximumErrorBytes) }
        self.responseExcerpt = responseExcerpt.map { Self.storable($0, maximumBytes: Self.maximumExcerptBytes) }
        self.retryDelay = max(retryDelay, .zero)
        self.deadReason = outcome == .succeeded ? nil : deadReason
    }

    /// `text` without NUL characters (PostgreSQL text cannot hold them), cut to at most `maximumBytes` of UTF-8
    /// at a Unicode scalar boundary.
    public static func storable(_ text: String, maximumBytes: Int) -> String {
        let text = text.contains("\u{0}") ? text.replacingOccurrences(of: "\u{0}", with: "") : text
        guard text.utf8.count > maximumBytes else { return text }
        let bytes = Array(text.utf8)
        var end = maximumBytes
        while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }  // back to the start of a scalar
        return String(decoding: bytes[..<end], as: UTF8.self)
    }

    /// The response excerpt of a raw body: its first bytes decoded as UTF-8 (invalid sequences replaced), at
    /// most ``maximumExcerptBytes``.
    public static func excerpt(of body: some Collection<UInt8>) -> String {
        storable(String(decoding: body.prefix(maximumExcerptBytes), as: UTF8.self), maximumBytes: maximumExcerptBytes)
    }
}

/// An attempt the queue recorded, and the state its run moved to.
public struct EndedAttempt: Sendable, Hashable {
    public enum RunStatus: String, Sendable, Hashable {
        case succeeded
        /// Failed, and queued again for a later attempt.
        case queued
        /// Failed with its attempts spent.
        case dead
    }

    public let lease: RunLease
    public let runStatus: RunStatus
    /// The run's job kind, when the statement reports it (rescues do; a worker knows the kinds it completes).
    public let kind: JobKind?
    /// Whether the run had an ordering key and ended (succeeded or dead): the next run of its key became
    /// runnable, so a claim now may find it.
    public let releasesOrderingKey: Bool

    public init(lease: RunLease, runStatus: RunStatus, kind: JobKind? = nil, releasesOrderingKey: Bool = false) {
        self.lease = lease
        self.runStatus = runStatus
        self.kind = kind
        self.releasesOrderingKey = releasesOrderingKey
    }
}
