import Foundation
import Inlet
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
        try await completeBatch(completions, workerID: workerID).ended
    }

    /// ``complete(_:workerID:)``, also reporting the circuits the batch opened or closed (for the worker's log
    /// and metrics).
    ///
    /// Two statements. The first ends the runs and records the attempts, durably (it waits for its commit to reach
    /// the disk), and moves each ended run's job slot to a pending return (a `slot_returns` row). The second gives
    /// back those slots (deleting the rows) and counts consecutive failures per job in `job_claim_state`,
    /// committing asynchronously: the rows it locks are the ones every claim of those jobs reads, and holding them
    /// through a disk flush held up every claim behind it (a slow target's completions delayed a healthy job's
    /// starts). A slot is held at every moment by a running run or by a pending return, so a recount between the
    /// two statements sees it, and only the deletion of its row gives it back, once. A crash between the two
    /// leaves the returns pending until a rescue pass gives them back (``returnPendingSlots(limit:)``); failure
    /// counts lose at most that batch.
    ///
    /// The second statement's failure does not throw: the first one's effects are durable, so the batch is
    /// returned with ``CompletedBatch/jobStateError`` set (the caller gives the pending slots back). Throwing would
    /// make the caller write the batch again, which the fence turns into nothing.
    public func completeBatch(_ completions: [RunCompletion], workerID: String) async throws -> CompletedBatch {
        guard !completions.isEmpty else { return CompletedBatch() }
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
        var batch = CompletedBatch()
        var byRun: [UUID: RunCompletion] = [:]
        for completion in completions { byRun[completion.lease.runID] = completion }
        var ended: [(completion: RunCompletion, jobID: UUID)] = []
        for row in rows {
            let lease = RunLease(
                projectID: try row.decode(UUID.self, at: 0), runID: try row.decode(UUID.self, at: 1),
                attempt: try row.decode(Int.self, at: 2))
            let runStatus = EndedAttempt.RunStatus(rawValue: try row.decode(String.self, at: 3)) ?? .queued
            let keyed = try row.decode(Bool.self, at: 6)
            batch.ended.append(
                EndedAttempt(lease: lease, runStatus: runStatus, releasesOrderingKey: keyed && runStatus != .queued))
            if let completion = byRun[lease.runID] {
                ended.append((completion, try row.decode(UUID.self, at: 4)))
            }
        }
        guard !ended.isEmpty else { return batch }
        let changes: PostgresRows
        do {
            changes = try await pool.query(
                Self.jobStateSQL,
                [
                    ended.map(\.completion.lease.projectID), ended.map(\.jobID), ended.map(\.completion.lease.runID),
                    ended.map { Int32(clamping: $0.completion.lease.attempt) },
                    ended.map(\.completion.outcome.rawValue), ended.map(\.completion.finishedAt),
                    ended.map(\.completion.error),
                ])
        } catch {
            batch.jobStateError = error
            return batch
        }
        for row in changes {
            batch.circuitChanges.append(
                CircuitChange(
                    projectID: try row.decode(UUID.self, at: 0), jobID: try row.decode(UUID.self, at: 1),
                    from: CircuitState(rawValue: try row.decode(String.self, at: 4)) ?? .closed,
                    to: CircuitState(rawValue: try row.decode(String.self, at: 3)) ?? .closed,
                    consecutiveFailures: try row.decode(Int.self, at: 2),
                    lastError: try row.decode(String?.self, at: 5)))
        }
        return batch
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
            RETURNING r.project_id, r.id, r.attempt, r.status, r.job_id, r.holds_slot,
                      r.ordering_key IS NOT NULL AS keyed
        ),
        recorded AS (
            INSERT INTO run_attempts (
                project_id, run_id, attempt, started_at, finished_at, duration_ms, outcome, status_code, error,
                response_excerpt, worker)
            SELECT c.project_id, c.id, c.attempt, c.started_at, c.finished_at, c.duration_ms, c.outcome,
                   c.status_code, c.error, c.response_excerpt, $12
            FROM done
            JOIN input AS c ON c.project_id = done.project_id AND c.id = done.id
        ),
        pending_slots AS (
            INSERT INTO slot_returns (project_id, run_id, attempt, job_id)
            SELECT project_id, id, attempt, job_id FROM done WHERE holds_slot
        )
        SELECT project_id, id, attempt, status, job_id, holds_slot, keyed FROM done
        """

    /// The second statement of ``completeBatch(_:workerID:)``: the ended attempts' job slots and failure counts,
    /// committed asynchronously (`synchronous_commit` off for its own transaction, set by the statement itself).
    static let jobStateSQL = """
        WITH input AS MATERIALIZED (
            SELECT *
            FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::int4[], $5::text[], $6::timestamptz[], $7::text[])
                AS e(project_id, job_id, run_id, attempt, outcome, finished_at, error)
            WHERE (SELECT set_config('synchronous_commit', 'off', true)) IS NOT NULL
        ),
        returned AS (
            DELETE FROM slot_returns AS p
            USING input AS e
            WHERE p.project_id = e.project_id AND p.run_id = e.run_id AND p.attempt = e.attempt
            RETURNING p.project_id, p.run_id, p.attempt
        ),
        ended AS MATERIALIZED (
            SELECT e.project_id, e.job_id, e.outcome, e.finished_at, e.error, r.run_id IS NOT NULL AS holds_slot
            FROM input AS e
            LEFT JOIN returned AS r ON r.project_id = e.project_id AND r.run_id = e.run_id AND r.attempt = e.attempt
        ),
        \(circuitSQL)
        SELECT project_id, job_id, consecutive_failures, new_state, old_state, last_error FROM circuit_changes
        """

    /// The completion's job-state update: gives back slots and counts consecutive failed attempts per job (a
    /// batch that holds a job's success counts only the failures that ended after its last success), then opens
    /// a circuit at the job's `breaker_threshold`, re-opens a half-open one whose probe failed (doubling the probe
    /// interval, up to 5 minutes or the job's own interval if longer), and closes an open or half-open one on any
    /// success. Only state rows that change are locked, in key order.
    static let circuitSQL = """
        outcomes AS MATERIALIZED (
            SELECT e.project_id, e.job_id,
                   count(*) FILTER (WHERE e.holds_slot)::int AS slots,
                   count(*) FILTER (WHERE e.outcome = 'succeeded')::int AS successes,
                   count(*) FILTER (WHERE e.outcome <> 'succeeded')::int AS failures,
                   count(*) FILTER (WHERE e.outcome <> 'succeeded'
                                    AND e.finished_at > coalesce(l.last_success, '-infinity'))::int AS failures_since,
                   (array_agg(e.error ORDER BY e.finished_at DESC) FILTER (WHERE e.outcome <> 'succeeded'))[1]
                       AS last_error
            FROM ended AS e
            LEFT JOIN (SELECT project_id, job_id, max(finished_at) AS last_success
                       FROM ended WHERE outcome = 'succeeded' GROUP BY project_id, job_id) AS l
              ON l.project_id = e.project_id AND l.job_id = e.job_id
            GROUP BY e.project_id, e.job_id
        ),
        circuit_locked AS MATERIALIZED (
            SELECT s.project_id, s.job_id, s.breaker_state AS old_state, s.consecutive_failures, s.probe_interval_s
            FROM job_claim_state AS s
            JOIN outcomes AS o ON o.project_id = s.project_id AND o.job_id = s.job_id
            WHERE o.slots > 0 OR o.failures > 0 OR s.consecutive_failures > 0 OR s.breaker_state <> 'closed'
            ORDER BY s.project_id, s.job_id
            FOR UPDATE OF s
        ),
        circuit_next AS MATERIALIZED (
            SELECT k.project_id, k.job_id, k.old_state, o.slots, o.last_error,
                   n.failures, j.breaker_probe_seconds,
                   CASE WHEN o.successes > 0 AND k.old_state <> 'closed' THEN 'closed'
                        WHEN k.old_state = 'half_open' AND o.failures > 0 THEN 'open'
                        WHEN k.old_state = 'closed' AND n.failures >= j.breaker_threshold THEN 'open'
                        ELSE k.old_state END AS new_state,
                   CASE WHEN k.old_state = 'half_open'
                        THEN least(greatest(k.probe_interval_s, 1) * 2, greatest(300, j.breaker_probe_seconds))
                        ELSE j.breaker_probe_seconds END AS next_interval
            FROM circuit_locked AS k
            JOIN outcomes AS o ON o.project_id = k.project_id AND o.job_id = k.job_id
            JOIN jobs AS j ON j.project_id = k.project_id AND j.id = k.job_id,
            LATERAL (SELECT CASE WHEN o.successes > 0 THEN o.failures_since
                                 ELSE k.consecutive_failures + o.failures END AS failures) AS n
        ),
        circuit AS (
            UPDATE job_claim_state AS s
            SET running = greatest(0, s.running - x.slots),
                consecutive_failures = x.failures,
                last_error = coalesce(x.last_error, s.last_error),
                breaker_state = x.new_state,
                breaker_since = CASE WHEN x.new_state <> x.old_state THEN now() ELSE s.breaker_since END,
                probe_interval_s = CASE WHEN x.new_state = 'closed' THEN 0
                                        WHEN x.new_state = 'open' AND x.old_state <> 'open' THEN x.next_interval
                                        ELSE s.probe_interval_s END,
                probe_at = CASE WHEN x.new_state = 'closed' THEN NULL
                                WHEN x.new_state = 'open' AND x.old_state <> 'open'
                                THEN now() + x.next_interval * interval '1 second'
                                ELSE s.probe_at END,
                updated_at = now()
            FROM circuit_next AS x
            WHERE s.project_id = x.project_id AND s.job_id = x.job_id
        ),
        circuit_changes AS (
            SELECT project_id, job_id, failures AS consecutive_failures, new_state, old_state, last_error
            FROM circuit_next
            WHERE new_state <> old_state
        )
        """
}
