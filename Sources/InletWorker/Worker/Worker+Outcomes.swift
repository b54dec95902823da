import Foundation
import Inlet
import InletStore
import Logging

extension Worker {
    /// The completion of an attempt. A failure follows `retry` (the job's policy, or the standard one when the
    /// context could not be read): a delay before the next attempt, or an end as `dead` with a reason.
    func completion(
        of run: ClaimedRun, outcome: JobOutcome, startedAt: Date, elapsed: Duration, retry: RetryContext? = nil
    ) -> RunCompletion {
        let attemptOutcome: AttemptOutcome =
            switch outcome.result {
            case .succeeded: .succeeded
            case .failed: .failed
            case .timedOut: .timeout
            }
        var retryDelay = Duration.zero
        var deadReason: RetryPolicy.DeadReason?
        if attemptOutcome != .succeeded {
            var generator = SystemRandomNumberGenerator()
            let policy = retry?.policy ?? .standard
            let firstStart = retry?.firstAttemptStartedAt ?? startedAt
            let age = Duration.milliseconds(Int64(max(0, Date().timeIntervalSince(firstStart)) * 1000))
            switch policy.decision(
                afterAttempt: run.attempt, status: outcome.statusCode, retryAfter: outcome.retryAfter,
                sinceFirstAttempt: age, using: &generator)
            {
            case .retry(let delay): retryDelay = delay
            case .giveUp(let reason): deadReason = reason
            }
        }
        let milliseconds = Int(JobRunQueue.nanoseconds(elapsed) / 1_000_000)
        return RunCompletion(
            lease: run.lease, outcome: attemptOutcome, startedAt: startedAt,
            finishedAt: startedAt.addingTimeInterval(Double(milliseconds) / 1000), durationMilliseconds: milliseconds,
            statusCode: outcome.statusCode, error: outcome.error, responseExcerpt: outcome.responseExcerpt,
            retryDelay: retryDelay, deadReason: deadReason)
    }

    /// The job's retry policy for a failed attempt; `nil` (the standard policy applies) when it cannot be read.
    func retryContext(for run: ClaimedRun, logger: Logger) async -> RetryContext? {
        do {
            return try await queue.retryContext(for: run.lease, jobID: run.jobID)
        } catch {
            logger.warning(
                "could not read the job's retry policy; the standard policy applies", metadata: ["error": "\(error)"])
            return nil
        }
    }

    func runLogger(for run: ClaimedRun) -> Logger {
        var logger = self.logger
        logger[metadataKey: "run_id"] = "\(run.runID.lowercasedString)"
        logger[metadataKey: "job_id"] = "\(run.jobID.lowercasedString)"
        logger[metadataKey: "attempt"] = "\(run.attempt)"
        if let requestID = run.requestID { logger[metadataKey: "request_id"] = "\(requestID)" }
        return logger
    }

    /// One line per ended handler attempt, carrying the run's `request_id`, so a dispatch can be traced to its
    /// runs at the default level (inline `noop` runs log nothing: they are for tests and benchmarks).
    func log(
        _ outcome: JobOutcome, of run: ClaimedRun, elapsed: Duration = .zero, deadReason: RetryPolicy.DeadReason? = nil,
        logger: Logger
    ) {
        var metadata: Logger.Metadata = [
            "kind": "\(run.kind)",
            "duration_ms": "\(JobRunQueue.nanoseconds(elapsed) / 1_000_000)",
        ]
        if let statusCode = outcome.statusCode { metadata["status_code"] = "\(statusCode)" }
        if let error = outcome.error { metadata["error"] = "\(error)" }
        switch outcome.result {
        case .succeeded:
            logger.info("attempt succeeded", metadata: metadata)
        case .failed, .timedOut:
            if let deadReason {
                metadata["dead_reason"] = "\(deadReason.rawValue)"
                logger.warning("attempt failed and the retry policy gives up: the run is dead", metadata: metadata)
            } else if run.isLastAttempt {
                logger.warning("attempt failed and the run's attempts are spent: the run is dead", metadata: metadata)
            } else {
                logger.info("attempt failed; the run will be retried", metadata: metadata)
            }
        }
    }
}
