import Foundation
import Postgres

extension JobRunQueue {
    /// Ends a batch of attempts in one statement: successes become `succeeded`; failures and timeouts go back to
    /// `queued` (after their retry delay, from the database clock) or become `dead` when their attempts are spent
    /// or their completion gives up (``RunCompletion/deadReason``); a dead run records why in `dead_reason`.
    /// The `run_attempts` rows are written by the same statement.
    ///
    /// Fenced: a completion applies only while its run is `running` under `workerID` with the same attempt, so a
    /// run rescued from an expired lease is not touched. Returns the attempts that applied.
    public func complete(_ completions: [RunCompletion], workerID: String) async throws -> [EndedAttempt] {
        guard !completions.isEmpty else { return [] }
        let rows = try await pool.query(
            Self.completeSQL,
            [
                completions.map(\.lease.projectID),
                completions.map(\.lease.runID),
                completions.map { Int32(clamping: $0.lease.attempt) },
                completions.map(\.outcome.rawValue),
                completions.map(\.startedAt),
                completions.map(\.finishedAt),
                completions.map { Int32(clamping: $0.durationMilliseconds) },
                completions.map { $0.statusCode.map { Int32(clamping: $0) } },
                completions.map(\.error),
                completions.map(\.responseExcerpt),
                completions.map { Self.milliseconds($0.retryDelay) },
                workerID,
                completions.map { $0.deadReason?.rawValue },
            ])
        return try rows.map { row in
            EndedAttempt(
                lease: RunLease(
                    projectID: try row.decode(UUID.self, at: 0), runID: try row.decode(UUID.self, at: 1),
                    attempt: try row.decode(Int.self, at: 2)),
                runStatus: EndedAttempt.RunStatus(rawValue: try row.decode(String.self, at: 3)) ?? .queued)
        }
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds.multipliedReportingOverflow(by: 1000).overflow
            ? .max : seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    static let completeSQL = """
        WITH input AS (
            SELECT *
            FROM unnest($1::uuid[], $2::uuid[], $3::int4[], $4::text[], $5::timestamptz[], $6::timestamptz[],
                        $7::int4[], $8::int4[], $9::text[], $10::text[], $11::int8[], $13::text[])
                AS c(project_id, id, attempt, outcome, started_at, finished_at, duration_ms, status_code, error,
                     response_excerpt, delay_ms, dead_reason)
        ),
        done AS (
            UPDATE job_runs AS r
            SET status = CASE WHEN c.outcome = 'succeeded' THEN 'succeeded'
                              WHEN r.attempt >= r.max_attempts OR c.dead_reason IS NOT NULL THEN 'dead'
                              ELSE 'queued' END,
                run_at = CASE WHEN c.outcome <> 'succeeded' AND r.attempt < r.max_attempts AND c.dead_reason IS NULL
                              THEN now() + c.delay_ms * interval '1 millisecond'
                              ELSE r.run_at END,
                finished_at = CASE WHEN c.outcome = 'succeeded' OR r.attempt >= r.max_attempts
                                        OR c.dead_reason IS NOT NULL THEN now() END,
                dead_reason = CASE WHEN c.outcome = 'succeeded' THEN NULL
                                   WHEN c.dead_reason IS NOT NULL THEN c.dead_reason
                                   WHEN r.attempt >= r.max_attempts THEN 'attempts_exhausted' END,
                last_error = CASE WHEN c.outcome = 'succeeded' THEN NULL ELSE c.error END,
                locked_by = NULL,
                lease_until = NULL,
                updated_at = now()
            FROM input AS c
            WHERE r.project_id = c.project_id AND r.id = c.id AND r.attempt = c.attempt
              AND r.locked_by = $12
            RETURNING r.project_id, r.id, r.attempt, r.status
        ),
        recorded AS (
            INSERT INTO run_attempts (
                project_id, run_id, attempt, started_at, finished_at, duration_ms, outcome, status_code, error,
                response_excerpt, worker)
            SELECT c.project_id, c.id, c.attempt, c.started_at, c.finished_at, c.duration_ms, c.outcome,
                   c.status_code, c.error, c.response_excerpt, $12
            FROM done
            JOIN input AS c ON c.project_id = done.project_id AND c.id = done.id
        )
        SELECT project_id, id, attempt, status FROM done
        """
}
