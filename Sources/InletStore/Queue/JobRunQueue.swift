import Foundation
import Inlet
import Postgres

/// The SQL of the job-run queue. Every operation is one statement (one round trip), whatever the batch size.
///
/// The queue works across all projects: workers are shared infrastructure. Run states move
/// `queued → running → succeeded`, back to `queued` after a failed attempt, to `dead` when the attempts are
/// spent; `cancelled` is set by the API. Every statement that ends a lease is fenced by (run, attempt, worker)
/// and the `running` status, so a worker that lost its lease cannot change the run any more.
///
/// Fenced statements test `locked_by = worker` and not `status = 'running'`: the schema's CHECK makes `locked_by`
/// non-NULL exactly while a run is running, and leaving the status out keeps the planner from driving the join
/// through the partial `job_runs_lease` index (all running runs) instead of primary-key lookups of the batch, which
/// its generic plan does when statistics say few runs are running, turning a batch into a quadratic join.
public struct JobRunQueue: Sendable {
    public let pool: PostgresPool

    /// How long a run of a disabled job waits before the queue looks at its job again.
    public static let disabledJobRecheckSeconds = 60

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    // MARK: Claim

    /// Takes up to `limit` runnable runs (queued, `run_at` reached; oldest first), leases them to `workerID` for
    /// `leaseSeconds` and starts their next attempt.
    ///
    /// Runs whose job is disabled are not started: the same statement puts them back with `run_at` a minute later
    /// and their attempt untouched, so they wait, at little cost, until the job is enabled again (or the run is
    /// cancelled). They are not returned.
    public func claim(limit: Int, workerID: String, leaseSeconds: Int) async throws -> [ClaimedRun] {
        guard limit > 0 else { return [] }
        let rows = try await pool.query(
            Self.claimSQL(limit: limit), [workerID, leaseSeconds, Self.disabledJobRecheckSeconds])
        var runs: [ClaimedRun] = []
        runs.reserveCapacity(rows.count)
        for row in rows {
            runs.append(
                ClaimedRun(
                    lease: RunLease(
                        projectID: try row.decode(UUID.self, at: 0), runID: try row.decode(UUID.self, at: 1),
                        attempt: try row.decode(Int.self, at: 4)),
                    eventID: try row.decode(UUID.self, at: 2),
                    jobID: try row.decode(UUID.self, at: 3),
                    jobName: try row.decode(String.self, at: 7),
                    kind: JobKind(rawValue: try row.decode(String.self, at: 8)),
                    maxAttempts: try row.decode(Int.self, at: 5),
                    requestID: try row.decode(String?.self, at: 6),
                    configJSON: try row.decode(PostgresJSON.self, at: 9).bytes,
                    sealedSigningSecret: [UInt8](try row.decode(Data.self, at: 10)),
                    sealedHeaders: try row.decode(Data?.self, at: 13).map { [UInt8]($0) },
                    payloadJSON: try row.decode(PostgresJSON.self, at: 11).bytes,
                    sourceName: try row.decode(String.self, at: 12)))
        }
        return runs
    }

    /// The claim statement for batches of `limit`.
    ///
    /// The limit is written into the text (an `Int`, so nothing can be injected) instead of bound as a parameter:
    /// for `LIMIT $1` the planner prices its generic plan for a tenth of the queue, never prefers it, and plans
    /// every claim afresh, about a third of the statement's time. With a constant, a worker's claim statement (its
    /// batch size is fixed) gets a generic plan after a few executions and is never planned again.
    ///
    /// The claim commits asynchronously (`synchronous_commit` off for its own transaction, set by the statement
    /// itself, so no extra round trip): it does not wait for its WAL to reach the disk, one flush less between a
    /// dispatch and the run's start. Losing a claim costs no run: if PostgreSQL crashes before the claim's WAL is
    /// flushed (at most a few hundred milliseconds), the run is simply `queued` again at its previous attempt and
    /// is executed again, as after an expired lease (delivery is at least once), and the completion written by the
    /// worker that lost it is fenced out by `locked_by`. Completions stay synchronous; flushing one flushes every
    /// claim committed before it.
    static func claimSQL(limit: Int) -> String {
        """
        WITH picked AS MATERIALIZED (
            SELECT project_id, id
            FROM job_runs
            WHERE status = 'queued' AND run_at <= now()
              AND (SELECT set_config('synchronous_commit', 'off', true)) IS NOT NULL
            ORDER BY run_at, id
            LIMIT \(Int(limit))
            FOR UPDATE SKIP LOCKED
        ),
        claimed AS (
            UPDATE job_runs AS r
            SET status = CASE WHEN j.enabled THEN 'running' ELSE 'queued' END,
                attempt = r.attempt + CASE WHEN j.enabled THEN 1 ELSE 0 END,
                locked_by = CASE WHEN j.enabled THEN $1 END,
                lease_until = CASE WHEN j.enabled THEN now() + $2 * interval '1 second' END,
                run_at = CASE WHEN j.enabled THEN r.run_at ELSE now() + $3 * interval '1 second' END,
                updated_at = now()
            FROM picked, jobs AS j
            WHERE r.project_id = picked.project_id AND r.id = picked.id
              AND j.project_id = r.project_id AND j.id = r.job_id
            RETURNING r.project_id, r.id, r.event_id, r.job_id, r.attempt, r.max_attempts, r.request_id, r.status,
                      j.name AS job_name, j.kind, j.config, j.signing_secret, j.sealed_headers
        )
        SELECT c.project_id, c.id, c.event_id, c.job_id, c.attempt, c.max_attempts,
               coalesce(c.request_id, e.request_id), c.job_name, c.kind, c.config, c.signing_secret,
               e.payload, s.name, c.sealed_headers
        FROM claimed AS c
        JOIN events AS e ON e.project_id = c.project_id AND e.id = c.event_id
        JOIN event_sources AS s ON s.project_id = e.project_id AND s.id = e.source_id
        WHERE c.status = 'running'
        """
    }

    // MARK: Heartbeat

    /// Extends the leases `workerID` still holds among `leases` to `leaseSeconds` from now, and returns the runs
    /// whose lease was extended.
    ///
    /// Rows locked by a concurrent statement (a completion being flushed) are skipped rather than waited for, so a
    /// heartbeat never deadlocks with a completion; a run missing from the result is not necessarily lost.
    @discardableResult
    public func heartbeat(_ leases: [RunLease], workerID: String, leaseSeconds: Int) async throws -> Set<UUID> {
        guard !leases.isEmpty else { return [] }
        let rows = try await pool.query(
            Self.heartbeatSQL,
            [
                leases.map(\.projectID), leases.map(\.runID), leases.map { Int32($0.attempt) }, workerID,
                leaseSeconds,
            ])
        var extended = Set<UUID>(minimumCapacity: rows.count)
        for row in rows { extended.insert(try row.decode(UUID.self, at: 0)) }
        return extended
    }

    static let heartbeatSQL = """
        WITH mine AS MATERIALIZED (
            SELECT r.project_id, r.id
            FROM job_runs AS r
            JOIN unnest($1::uuid[], $2::uuid[], $3::int4[]) AS h(project_id, id, attempt)
              ON r.project_id = h.project_id AND r.id = h.id AND r.attempt = h.attempt
            WHERE r.locked_by = $4
            FOR UPDATE OF r SKIP LOCKED
        )
        UPDATE job_runs AS r
        SET lease_until = now() + $5 * interval '1 second'
        FROM mine
        WHERE r.project_id = mine.project_id AND r.id = mine.id
        RETURNING r.id
        """

    // MARK: Release

    /// Hands runs back to `queued` without consuming their attempt (graceful shutdown), keeping their place in
    /// the queue. Returns how many were still held by `workerID` and released.
    @discardableResult
    public func release(_ leases: [RunLease], workerID: String) async throws -> Int {
        guard !leases.isEmpty else { return 0 }
        let rows = try await pool.query(
            Self.releaseSQL,
            [leases.map(\.projectID), leases.map(\.runID), leases.map { Int32($0.attempt) }, workerID])
        return rows.affectedRows
    }

    static let releaseSQL = """
        UPDATE job_runs AS r
        SET status = 'queued', attempt = r.attempt - 1, locked_by = NULL, lease_until = NULL, updated_at = now()
        FROM unnest($1::uuid[], $2::uuid[], $3::int4[]) AS h(project_id, id, attempt)
        WHERE r.project_id = h.project_id AND r.id = h.id AND r.attempt = h.attempt
          AND r.locked_by = $4
        """
}
