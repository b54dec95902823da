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
                    sourceName: try row.decode(String.self, at: 12),
                    isCircuitProbe: try row.decode(Bool.self, at: 14),
                    traceparent: try row.decode(String?.self, at: 15)))
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
    /// claim committed before it. (A lost claim loses its jobs' `running` increments with it: same transaction.)
    ///
    /// Fair share, in one statement (see docs/decisions.md, "Fair share"):
    /// 1. `pairs`: the (project, job) pairs that have queued runs, by a loose index scan of `job_runs_fair` (one
    ///    index probe per pair, however many runs are queued), with each pair's oldest `run_at`.
    /// 2. `limited`: the state rows of runnable pairs whose job has a limit or an open circuit, locked in key
    ///    order (so concurrent claims and completions cannot deadlock), which makes their counters current. The
    ///    lock is waited for: with `SKIP LOCKED`, a job whose completions are written back to back (each holding
    ///    the row through its synchronous commit) was skipped by most claims, and its runs waited up to seconds.
    ///    A row that is not locked after all (its snapshot said it needed one) starts nothing in this claim.
    /// 3. `capacity`: how many runs each pair may start now: `max_concurrency − running`, the rate limit's
    ///    whole tokens, one probe for an open circuit whose `probe_at` has come, none while half-open.
    /// 4. `turns`, `quota`: stride scheduling across projects: a project's k-th run in this batch has virtual time
    ///    `pass + k / weight`; the batch takes the `limit` smallest. A project's pass is first raised to one unit
    ///    below the largest pass among runnable projects, so idling earns no credit.
    /// 5. `candidates`: each pair's oldest runnable runs, `FOR UPDATE SKIP LOCKED`, up to its capacity and its
    ///    project's quota (counted from capacities, so a project may have fewer runs than turns); `more`: when the
    ///    candidates fall short of the batch, more runs of the pairs that had enough, up to the shortfall; `picked`:
    ///    the batch, taken from the candidates by virtual time again (a project's k-th oldest at `base + k/weight`).
    /// 6. The runs, the job states (slots, tokens, half-open) and the projects' passes are updated.
    static func claimSQL(limit: Int) -> String {
        let limit = Int(limit)
        return """
            WITH RECURSIVE pairs AS (
                (SELECT project_id, job_id, run_at
                 FROM job_runs
                 WHERE status = 'queued' AND (SELECT set_config('synchronous_commit', 'off', true)) IS NOT NULL
                 ORDER BY project_id, job_id, run_at, id
                 LIMIT 1)
                UNION ALL
                SELECT next.project_id, next.job_id, next.run_at
                FROM pairs AS p, LATERAL (
                    SELECT project_id, job_id, run_at
                    FROM job_runs
                    WHERE status = 'queued' AND (project_id, job_id) > (p.project_id, p.job_id)
                    ORDER BY project_id, job_id, run_at, id
                    LIMIT 1
                ) AS next
            ),
            runnable AS MATERIALIZED (
                SELECT p.project_id, p.job_id, j.enabled, j.max_concurrency, j.rate_per_second, j.rate_burst,
                       j.max_concurrency IS NOT NULL OR j.rate_per_second IS NOT NULL
                           OR coalesce(s.breaker_state <> 'closed', false) AS needs_state
                FROM pairs AS p
                JOIN jobs AS j ON j.project_id = p.project_id AND j.id = p.job_id
                LEFT JOIN job_claim_state AS s ON s.project_id = p.project_id AND s.job_id = p.job_id
                WHERE p.run_at <= now()
            ),
            limited AS MATERIALIZED (
                SELECT s.project_id, s.job_id, s.running, s.tokens, s.tokens_at, s.breaker_state, s.probe_at
                FROM job_claim_state AS s
                JOIN runnable AS r ON r.project_id = s.project_id AND r.job_id = s.job_id
                WHERE r.enabled
                  AND (r.max_concurrency IS NOT NULL OR r.rate_per_second IS NOT NULL OR s.breaker_state <> 'closed')
                ORDER BY s.project_id, s.job_id
                FOR UPDATE OF s
            ),
            capacity AS MATERIALIZED (
                SELECT r.project_id, r.job_id, r.enabled, l.project_id IS NOT NULL AS is_limited,
                       l.project_id IS NOT NULL AND r.max_concurrency IS NOT NULL AS holds_slot,
                       coalesce(l.breaker_state = 'open', false) AS is_probe,
                       CASE WHEN l.project_id IS NULL AND r.enabled AND r.needs_state THEN 0
                            WHEN l.project_id IS NULL THEN \(limit)
                            ELSE greatest(0, least(
                                \(limit),
                                coalesce(r.max_concurrency - l.running, \(limit)),
                                coalesce(floor(least(r.rate_burst, l.tokens + r.rate_per_second
                                    * extract(epoch FROM now() - l.tokens_at)))::int, \(limit)),
                                CASE l.breaker_state WHEN 'closed' THEN \(limit)
                                                     WHEN 'open' THEN CASE WHEN l.probe_at <= now() THEN 1 ELSE 0 END
                                                     ELSE 0 END))
                       END AS slots
                FROM runnable AS r
                LEFT JOIN limited AS l ON l.project_id = r.project_id AND l.job_id = r.job_id
            ),
            projects AS MATERIALIZED (
                SELECT c.project_id, least(sum(c.slots), \(limit))::int AS supply,
                       coalesce(min(q.pass), 0) AS pass, coalesce(min(w.weight), 1)::float8 AS weight
                FROM capacity AS c
                LEFT JOIN project_schedule AS q ON q.project_id = c.project_id
                LEFT JOIN project_limits AS w ON w.project_id = c.project_id
                WHERE c.slots > 0
                GROUP BY c.project_id
            ),
            turns AS MATERIALIZED (
                SELECT p.project_id, p.weight, greatest(p.pass, (SELECT max(pass) FROM projects) - 1) AS base
                FROM projects AS p, generate_series(1, p.supply) AS k
                ORDER BY greatest(p.pass, (SELECT max(pass) FROM projects) - 1) + k / p.weight, p.project_id
                LIMIT \(limit)
            ),
            quota AS MATERIALIZED (
                SELECT project_id, count(*)::int AS runs, min(base) AS base, min(weight) AS weight
                FROM turns
                GROUP BY project_id
            ),
            candidates AS MATERIALIZED (
                SELECT x.project_id, x.job_id, x.id, x.run_at
                FROM capacity AS c
                JOIN quota AS q ON q.project_id = c.project_id,
                LATERAL (
                    SELECT r.project_id, r.job_id, r.id, r.run_at
                    FROM job_runs AS r
                    WHERE r.status = 'queued' AND r.project_id = c.project_id AND r.job_id = c.job_id
                      AND r.run_at <= now()
                    ORDER BY r.run_at, r.id
                    LIMIT least(c.slots, q.runs)
                    FOR UPDATE SKIP LOCKED
                ) AS x
                WHERE c.slots > 0
            ),
            shortfall AS MATERIALIZED (
                SELECT \(limit) - least(\(limit), (SELECT count(*) FROM candidates)) AS runs
            ),
            more AS MATERIALIZED (
                SELECT x.project_id, x.job_id, x.id, x.run_at
                FROM (SELECT project_id, job_id, count(*) AS got,
                             (array_agg(run_at ORDER BY run_at DESC, id DESC))[1] AS last_run_at,
                             (array_agg(id ORDER BY run_at DESC, id DESC))[1] AS last_id
                      FROM candidates GROUP BY project_id, job_id) AS g
                JOIN capacity AS c ON c.project_id = g.project_id AND c.job_id = g.job_id
                JOIN quota AS q ON q.project_id = g.project_id,
                shortfall,
                LATERAL (
                    SELECT r.project_id, r.job_id, r.id, r.run_at
                    FROM job_runs AS r
                    WHERE r.status = 'queued' AND r.project_id = c.project_id AND r.job_id = c.job_id
                      AND r.run_at <= now() AND (r.run_at, r.id) > (g.last_run_at, g.last_id)
                    ORDER BY r.run_at, r.id
                    LIMIT least(c.slots - g.got, shortfall.runs)
                    FOR UPDATE SKIP LOCKED
                ) AS x
                WHERE shortfall.runs > 0 AND g.got = least(c.slots, q.runs) AND c.slots > g.got
            ),
            picked AS MATERIALIZED (
                SELECT ranked.project_id, ranked.id
                FROM (SELECT a.project_id, a.id, a.run_at,
                             row_number() OVER (PARTITION BY a.project_id ORDER BY a.run_at, a.id) AS rank
                      FROM (SELECT project_id, id, run_at FROM candidates
                            UNION ALL
                            SELECT project_id, id, run_at FROM more) AS a) AS ranked
                JOIN quota AS q ON q.project_id = ranked.project_id
                ORDER BY q.base + ranked.rank / q.weight, ranked.run_at, ranked.id
                LIMIT \(limit)
            ),
            claimed AS (
                UPDATE job_runs AS r
                SET status = CASE WHEN j.enabled THEN 'running' ELSE 'queued' END,
                    attempt = r.attempt + CASE WHEN j.enabled THEN 1 ELSE 0 END,
                    locked_by = CASE WHEN j.enabled THEN $1 END,
                    lease_until = CASE WHEN j.enabled THEN now() + $2 * interval '1 second' END,
                    run_at = CASE WHEN j.enabled THEN r.run_at ELSE now() + $3 * interval '1 second' END,
                    holds_slot = j.enabled AND c.holds_slot,
                    updated_at = now()
                FROM picked, jobs AS j, capacity AS c
                WHERE r.project_id = picked.project_id AND r.id = picked.id
                  AND j.project_id = r.project_id AND j.id = r.job_id
                  AND c.project_id = r.project_id AND c.job_id = r.job_id
                RETURNING r.project_id, r.id, r.event_id, r.job_id, r.attempt, r.max_attempts, r.request_id, r.status,
                          j.name AS job_name, j.kind, j.config, j.signing_secret, j.sealed_headers,
                          c.is_probe AND j.enabled AS is_probe, r.traceparent
            ),
            started AS MATERIALIZED (
                SELECT project_id, job_id, count(*)::int AS runs
                FROM claimed
                WHERE status = 'running'
                GROUP BY project_id, job_id
            ),
            state AS (
                UPDATE job_claim_state AS s
                SET running = s.running + CASE WHEN c.holds_slot THEN t.runs ELSE 0 END,
                    tokens = CASE WHEN r.rate_per_second IS NULL THEN s.tokens
                                  ELSE least(r.rate_burst, s.tokens + r.rate_per_second
                                      * extract(epoch FROM now() - s.tokens_at)) - t.runs END,
                    tokens_at = now(),
                    breaker_state = CASE WHEN s.breaker_state = 'open' THEN 'half_open' ELSE s.breaker_state END,
                    breaker_since = CASE WHEN s.breaker_state = 'open' THEN now() ELSE s.breaker_since END,
                    updated_at = now()
                FROM started AS t, capacity AS c, runnable AS r
                WHERE s.project_id = t.project_id AND s.job_id = t.job_id
                  AND c.project_id = t.project_id AND c.job_id = t.job_id AND c.is_limited
                  AND r.project_id = t.project_id AND r.job_id = t.job_id
            ),
            schedule AS (
                INSERT INTO project_schedule AS ps (project_id, pass, last_delta)
                SELECT q.project_id, q.base + t.runs / q.weight, t.runs / q.weight
                FROM quota AS q
                JOIN (SELECT project_id, sum(runs) AS runs FROM started GROUP BY project_id) AS t
                  ON t.project_id = q.project_id
                ORDER BY q.project_id
                ON CONFLICT (project_id) DO UPDATE
                SET pass = greatest(ps.pass + excluded.last_delta, excluded.pass), last_delta = excluded.last_delta
            )
            SELECT c.project_id, c.id, c.event_id, c.job_id, c.attempt, c.max_attempts,
                   coalesce(c.request_id, e.request_id), c.job_name, c.kind, c.config, c.signing_secret,
                   e.payload, s.name, c.sealed_headers, c.is_probe, c.traceparent
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
        return try rows.first?.decode(Int.self, at: 0) ?? 0
    }

    /// Hands the runs back and gives back their job's slots; a handed-back circuit probe leaves the circuit open
    /// with its probe due at once.
    static let releaseSQL = """
        WITH released AS (
            UPDATE job_runs AS r
            SET status = 'queued', attempt = r.attempt - 1, locked_by = NULL, lease_until = NULL, updated_at = now()
            FROM unnest($1::uuid[], $2::uuid[], $3::int4[]) AS h(project_id, id, attempt)
            WHERE r.project_id = h.project_id AND r.id = h.id AND r.attempt = h.attempt
              AND r.locked_by = $4
            RETURNING r.project_id, r.job_id, r.holds_slot
        ),
        \(JobRunQueue.freeSlotsSQL(endedRuns: "released", probeLost: true))
        SELECT count(*) FROM released
        """
}
