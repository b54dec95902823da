import Foundation
import Inlet
import InletStore
import Logging

extension Worker {
    func completion(of run: ClaimedRun, outcome: JobOutcome, startedAt: Date, elapsed: Duration) -> RunCompletion {
        let attemptOutcome: AttemptOutcome =
            switch outcome.result {
            case .succeeded: .succeeded
            case .failed: .failed
            case .timedOut: .timeout
            }
        var retryDelay = Duration.zero
        if attemptOutcome != .succeeded {
            var generator = SystemRandomNumberGenerator()
            retryDelay = RetryBackoff.standard.delay(
                afterAttempt: run.attempt, retryAfter: outcome.retryAfter, using: &generator)
        }
        let milliseconds = Int(JobRunQueue.nanoseconds(elapsed) / 1_000_000)
        return RunCompletion(
            lease: run.lease, outcome: attemptOutcome, startedAt: startedAt,
            finishedAt: startedAt.addingTimeInterval(Double(milliseconds) / 1000), durationMilliseconds: milliseconds,
            statusCode: outcome.statusCode, error: outcome.error, responseExcerpt: outcome.responseExcerpt,
            retryDelay: retryDelay)
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
    func log(_ outcome: JobOutcome, of run: ClaimedRun, elapsed: Duration = .zero, logger: Logger) {
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
            if run.isLastAttempt {
                logger.warning("attempt failed and the run's attempts are spent: the run is dead", metadata: metadata)
            } else {
                logger.info("attempt failed; the run will be retried", metadata: metadata)
            }
        }
    }
}
