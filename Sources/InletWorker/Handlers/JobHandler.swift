import Inlet
import InletStore
import Logging

/// Executes the runs of one job kind. Register an implementation in a ``JobHandlerRegistry`` to add a kind of job
/// (Swift code that embeds the worker); `http` and `noop` are built in.
///
/// A handler returns how the attempt ended rather than throwing: the worker records the outcome, retries failures
/// with backoff and makes the run `dead` when its attempts are spent. Delivery is at least once, so handlers
/// should be idempotent (``ClaimedRun/runID`` identifies the run across attempts). When the worker shuts down and
/// the grace period is over, the executing task is cancelled: return promptly then (the outcome is discarded and
/// the run handed back).
public protocol JobHandler: Sendable {
    func execute(_ run: ClaimedRun, context: JobExecutionContext) async -> JobOutcome
}

/// What a handler gets besides the run: a logger carrying the run's identity, and access to the job's secret.
public struct JobExecutionContext: Sendable {
    /// Has `run_id`, `job_id`, `attempt` and `request_id` metadata.
    public let logger: Logger
    public let workerID: String
    let secretBox: SecretBox

    public init(logger: Logger, workerID: String, secretBox: SecretBox) {
        self.logger = logger
        self.workerID = workerID
        self.secretBox = secretBox
    }

    /// The job's current signing secret (a `whsec_…` Standard Webhooks secret), decrypted.
    public func signingSecret(for run: ClaimedRun) throws(SecretBoxError) -> SigningSecret {
        try secretBox.openSigningSecretRotation(run.sealedSigningSecret, context: run.signingSecretContext).current
    }

    /// The secrets a delivery is signed with now: the current one and, during a rotation's grace period, the one
    /// it replaced.
    public func activeSigningSecrets(for run: ClaimedRun, now: Int64) throws(SecretBoxError) -> [SigningSecret] {
        try secretBox.openSigningSecretRotation(run.sealedSigningSecret, context: run.signingSecretContext)
            .activeSecrets(now: now)
    }

    /// An `http` job's headers, decrypted; empty when it has none. They print redacted; never log their values.
    public func headers(for run: ClaimedRun) throws(SecretBoxError) -> HTTPJobHeaders {
        guard let sealed = run.sealedHeaders else { return HTTPJobHeaders() }
        return try secretBox.openHTTPJobHeaders(sealed, jobID: run.jobID)
    }
}

/// How one attempt ended, as a handler reports it.
public struct JobOutcome: Sendable, Equatable {
    public enum Result: Sendable, Equatable {
        case succeeded
        case failed
        /// The attempt did not finish in time; retried like a failure, recorded as `timeout`.
        case timedOut
    }

    public var result: Result
    /// The target's HTTP status, when there was one.
    public var statusCode: Int?
    /// Why the attempt failed, for the attempt record and the run's `last_error`.
    public var error: String?
    /// The start of the response body; cut to 1 KiB when recorded.
    public var responseExcerpt: String?
    /// When the target asked to be retried later (`Retry-After`); replaces the jittered delay of the job's retry
    /// policy, capped at its longest delay.
    public var retryAfter: RetryAfter?

    public init(
        result: Result, statusCode: Int? = nil, error: String? = nil, responseExcerpt: String? = nil,
        retryAfter: RetryAfter? = nil
    ) {
        self.result = result
        self.statusCode = statusCode
        self.error = error
        self.responseExcerpt = responseExcerpt
        self.retryAfter = retryAfter
    }

    public static func succeeded(statusCode: Int? = nil, responseExcerpt: String? = nil) -> JobOutcome {
        JobOutcome(result: .succeeded, statusCode: statusCode, responseExcerpt: responseExcerpt)
    }

    public static func failed(
        _ error: String, statusCode: Int? = nil, responseExcerpt: String? = nil, retryAfter: RetryAfter? = nil
    ) -> JobOutcome {
        JobOutcome(
            result: .failed, statusCode: statusCode, error: error, responseExcerpt: responseExcerpt,
            retryAfter: retryAfter)
    }

    public static func timedOut(_ error: String) -> JobOutcome {
        JobOutcome(result: .timedOut, error: error)
    }
}
