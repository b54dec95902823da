import Foundation
import Inlet
import Postgres

extension JobRunQueue {
    // MARK: Rescue

    /// Requeues up to `limit` runs whose lease expired (their worker died or stopped heartbeating), or makes them
    /// `dead` when their attempts are spent, recording each lost attempt with outcome `lease_expired`. Any worker
    /// may call it; concurrent rescuers skip each other's rows.
    ///
    /// The lost attempt's `started_at` is the run's `updated_at`, which the claim sets and heartbeats leave alone.
    @discardableResult
    public func rescueExpiredLeases(limit: Int) async throws -> [EndedAttempt] {
        guard limit > 0 else { return [] }
        let rows = try await pool.query(Self.rescueSQL, [limit])
        return try rows.map { row in
            EndedAttempt(
                lease: RunLease(
                    projectID: try row.decode(UUID.self, at: 0), runID: try row.decode(UUID.self, at: 1),
                    attempt: try row.decode(Int.self, at: 2)),
                runStatus: EndedAttempt.RunStatus(rawValue: try row.decode(String.self, at: 3)) ?? .queued,
                kind: JobKind(rawValue: try row.decode(String.self, at: 4)))
        }
    }

    /// Rescued runs give back their job's slot; a rescued circuit probe leaves the circuit open, probing again at
    /// once.
    static let rescueSQL = """
        WITH expired AS MATERIALIZED (
            SELECT project_id, id, job_id, attempt, locked_by, updated_at,
                   'lease expired: worker ' || locked_by || ' stopped renewing it' AS error
            FROM job_runs
            WHERE status = 'running' AND lease_until < now()
            ORDER BY lease_until
            LIMIT $1
            FOR UPDATE SKIP LOCKED
        ),
        rescued AS (
            UPDATE job_runs AS r
            SET status = CASE WHEN r.attempt >= r.max_attempts THEN 'dead' ELSE 'queued' END,
                run_at = CASE WHEN r.attempt >= r.max_attempts THEN r.run_at ELSE now() END,
                finished_at = CASE WHEN r.attempt >= r.max_attempts THEN now() END,
                dead_reason = CASE WHEN r.attempt >= r.max_attempts THEN 'attempts_exhausted' END,
                last_error = x.error,
                locked_by = NULL,
                lease_until = NULL,
                updated_at = now()
            FROM expired AS x, jobs AS j
            WHERE r.project_id = x.project_id AND r.id = x.id AND j.project_id = x.project_id AND j.id = x.job_id
            RETURNING r.project_id, r.id, r.attempt, r.status, j.kind, r.job_id, r.holds_slot
        ),
        \(freeSlotsSQL(endedRuns: "rescued", probeLost: true)),
        recorded AS (
            INSERT INTO run_attempts (
                project_id, run_id, attempt, started_at, finished_at, duration_ms, outcome, error, worker)
            SELECT x.project_id, x.id, x.attempt, x.updated_at, now(),
                   least(2147483647, greatest(0, extract(epoch FROM now() - x.updated_at) * 1000))::int4,
                   'lease_expired', x.error, x.locked_by
            FROM expired AS x
            WHERE x.attempt >= 1
        )
        SELECT project_id, id, attempt, status, kind FROM rescued
        """

    // MARK: Job slots

    /// Sets every job's `running` count to the slots really held (running runs holding one, and slots whose
    /// return is pending after a completion's first statement), and returns how many counts were wrong. The
    /// statements that move runs keep the counts in the same transactions, so this is a guard against a bug rather
    /// than part of the protocol; workers call it with their rescue pass.
    ///
    /// Two statements in one transaction: the first locks the state rows (waiting for claims in flight, which hold
    /// them), so the second's snapshot sees every run those claims started.
    @discardableResult
    public func resyncRunningCounts() async throws -> Int {
        try await pool.withTransaction { connection in
            try await connection.query(
                """
                SELECT 1 FROM job_claim_state AS s
                JOIN jobs AS j ON j.project_id = s.project_id AND j.id = s.job_id
                WHERE s.running > 0 OR j.max_concurrency IS NOT NULL
                ORDER BY s.project_id, s.job_id
                FOR UPDATE OF s
                """)
            return try await connection.query(
                """
                UPDATE job_claim_state AS s
                SET running = coalesce(h.runs, 0), updated_at = now()
                FROM job_claim_state AS k
                JOIN jobs AS j ON j.project_id = k.project_id AND j.id = k.job_id
                LEFT JOIN (SELECT project_id, job_id, count(*)::int AS runs
                           FROM (SELECT project_id, job_id FROM job_runs WHERE status = 'running' AND holds_slot
                                 UNION ALL
                                 SELECT project_id, job_id FROM slot_returns) AS held
                           GROUP BY project_id, job_id) AS h
                  ON h.project_id = k.project_id AND h.job_id = k.job_id
                WHERE s.project_id = k.project_id AND s.job_id = k.job_id
                  AND (k.running > 0 OR j.max_concurrency IS NOT NULL) AND s.running <> coalesce(h.runs, 0)
                """
            ).affectedRows
        }
    }

    /// Gives back the job slots whose return is still pending after a completion's first statement: the second
    /// statement failed, or its worker died between the two. Safe at any time, even while that statement runs:
    /// a slot is given back by whoever deletes its `slot_returns` row, once. Returns how many slots it gave back.
    @discardableResult
    public func returnPendingSlots(limit: Int = 1000) async throws -> Int {
        try await pool.query(Self.returnPendingSlotsSQL, [Int32(clamping: limit)]).reduce(0) {
            $0 + (try $1.decode(Int.self, at: 0))
        }
    }

    static let returnPendingSlotsSQL = """
        WITH taken AS (
            DELETE FROM slot_returns
            WHERE (project_id, run_id, attempt) IN (
                SELECT project_id, run_id, attempt FROM slot_returns ORDER BY created_at LIMIT $1
                FOR UPDATE SKIP LOCKED)
            RETURNING project_id, job_id
        ),
        freed AS MATERIALIZED (
            SELECT project_id, job_id, count(*)::int AS slots FROM taken GROUP BY project_id, job_id
        ),
        locked AS MATERIALIZED (
            SELECT s.project_id, s.job_id, f.slots
            FROM job_claim_state AS s
            JOIN freed AS f ON f.project_id = s.project_id AND f.job_id = s.job_id
            ORDER BY s.project_id, s.job_id
            FOR UPDATE OF s
        ),
        lowered AS (
            UPDATE job_claim_state AS s
            SET running = greatest(0, s.running - l.slots), updated_at = now()
            FROM locked AS l
            WHERE s.project_id = l.project_id AND s.job_id = l.job_id
        )
        SELECT slots FROM freed
        """

    // MARK: Retention

    /// What ``pruneFinished(olderThanDays:batchSize:)`` deleted.
    public struct PruneResult: Sendable, Equatable {
        public var runs: Int
        public var events: Int

        public init(runs: Int = 0, events: Int = 0) {
            self.runs = runs
            self.events = events
        }
    }

    /// Deletes finished runs (`succeeded`, `dead`, `cancelled`) that finished more than `days` ago, then events
    /// received more than `days` ago that have no runs left, `batchSize` rows per statement so no statement holds
    /// many locks or runs long. Attempts go with their runs.
    @discardableResult
    public func pruneFinished(olderThanDays days: Int, batchSize: Int = 1000) async throws -> PruneResult {
        var result = PruneResult()
        while true {
            let deleted = try await pruneFinishedRuns(olderThanDays: days, limit: batchSize)
            result.runs += deleted
            if deleted < batchSize { break }
        }
        while true {
            let deleted = try await pruneEvents(olderThanDays: days, limit: batchSize)
            result.events += deleted
            if deleted < batchSize { break }
        }
        return result
    }

    /// One batch: deletes up to `limit` runs that finished more than `days` ago (with their attempts).
    public func pruneFinishedRuns(olderThanDays days: Int, limit: Int) async throws -> Int {
        try await pool.query(Self.pruneRunsSQL, [days, limit]).affectedRows
    }

    /// One batch: deletes up to `limit` events received more than `days` ago that have no runs left.
    public func pruneEvents(olderThanDays days: Int, limit: Int) async throws -> Int {
        try await pool.query(Self.pruneEventsSQL, [days, limit]).affectedRows
    }

    // Deleting by `ctid = ANY(ARRAY(…))` makes the delete a TID scan of the rows the subquery locked; a join with
    // the subquery would hash-join against a full scan of the table for every batch.
    static let pruneRunsSQL = """
        DELETE FROM job_runs
        WHERE ctid = ANY (ARRAY(
            SELECT ctid
            FROM job_runs
            WHERE finished_at < now() - $1 * interval '1 day' AND status IN ('succeeded', 'dead', 'cancelled')
            ORDER BY finished_at
            LIMIT $2
            FOR UPDATE SKIP LOCKED))
        """

    static let pruneEventsSQL = """
        DELETE FROM events
        WHERE ctid = ANY (ARRAY(
            SELECT ctid
            FROM events AS candidate
            WHERE received_at < now() - $1 * interval '1 day'
              AND NOT EXISTS (
                  SELECT 1 FROM job_runs AS r WHERE r.project_id = candidate.project_id AND r.event_id = candidate.id)
            ORDER BY received_at
            LIMIT $2
            FOR UPDATE SKIP LOCKED))
        """
}
