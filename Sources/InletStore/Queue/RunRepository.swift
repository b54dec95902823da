import Foundation
import Inlet
import Postgres

/// The queue as one project sees it: its runs, details with attempts, and the transitions a user asks for
/// (retry, cancel, requeue of dead runs). Workers' transitions are in ``JobRunQueue``.
public struct RunRepository: Sendable {
    public let projectID: UUID
    let pool: PostgresPool
    let notifier: RunNotifier

    public init(projectID: UUID, pool: PostgresPool, notifier: RunNotifier) {
        self.projectID = projectID
        self.pool = pool
        self.notifier = notifier
    }

    /// The statuses the API reports. `scheduled` is not stored: it is a `queued` run that was delayed at dispatch
    /// (`deliver_at`) and has not reached that time yet (docs/decisions.md).
    public static let statuses = ["scheduled", "queued", "running", "succeeded", "dead", "cancelled"]

    /// A run's status as reported: `scheduled` while a delayed run waits for its `deliver_at`.
    static let reportedStatus = """
        CASE WHEN status = 'queued' AND attempt = 0 AND deliver_at > now() THEN 'scheduled' ELSE status END
        """

    /// A blocked run's `run_at` is stored as `infinity` (out of the claim's reach); it reports when it was asked
    /// to run instead.
    static let columns = """
        id, project_id, event_id, job_id, subscription_id, \(reportedStatus), attempt, max_attempts, \
        CASE WHEN ordering_blocked THEN coalesce(deliver_at, created_at) ELSE run_at END, \
        locked_by, lease_until, last_error, request_id, created_at, updated_at, finished_at, dead_reason, deliver_at, \
        ordering_key, ordering_blocked
        """

    public struct Filter: Sendable {
        /// Runs in any of these reported statuses (all when `nil`).
        public var statuses: [String]?
        public var jobID: UUID?
        public var eventID: UUID?
        public init(statuses: [String]? = nil, jobID: UUID? = nil, eventID: UUID? = nil) {
            self.statuses = statuses
            self.jobID = jobID
            self.eventID = eventID
        }
    }

    public func list(_ filter: Filter, page: Page) async throws -> PageResult<JobRun> {
        let rows = try await pool.query(
            """
            SELECT \(Self.columns) FROM job_runs
            WHERE project_id = $1 AND ($2::text[] IS NULL OR (\(Self.reportedStatus)) = ANY ($2::text[]))
              AND ($3::uuid IS NULL OR job_id = $3) AND ($4::uuid IS NULL OR event_id = $4)
              AND ($5::uuid IS NULL OR id < $5)
            ORDER BY id DESC LIMIT $6
            """, [projectID, filter.statuses, filter.jobID, filter.eventID, page.after, page.limit + 1])
        return PageResult(fetched: try rows.map(Self.run), limit: page.limit)
    }

    /// A run with its attempts, oldest first.
    public func get(_ id: UUID) async throws -> JobRun {
        let rows = try await pool.query(
            "SELECT \(Self.columns) FROM job_runs WHERE project_id = $1 AND id = $2", [projectID, id])
        guard let row = rows.first else { throw StoreError.notFound("run") }
        var run = try Self.run(row)
        let attempts = try await pool.query(
            """
            SELECT attempt, started_at, finished_at, duration_ms, outcome, status_code, error, response_excerpt, worker
            FROM run_attempts WHERE project_id = $1 AND run_id = $2 ORDER BY attempt
            """, [projectID, id])
        run.attempts = try attempts.map { row in
            RunAttempt(
                attempt: try row.decode(Int.self, at: 0), startedAt: try row.decode(Date.self, at: 1),
                finishedAt: try row.decode(Date.self, at: 2), durationMilliseconds: try row.decode(Int.self, at: 3),
                outcome: try row.decode(String.self, at: 4), statusCode: try row.decode(Int?.self, at: 5),
                error: try row.decode(String?.self, at: 6), responseExcerpt: try row.decode(String?.self, at: 7),
                worker: try row.decode(String?.self, at: 8))
        }
        return run
    }

    /// `dead` or `cancelled` → `queued` now, with one more attempt allowed when its attempts are spent.
    public func retry(_ id: UUID) async throws -> JobRun {
        try await transition(
            id,
            sql: """
                UPDATE job_runs SET status = 'queued', run_at = now(), max_attempts = greatest(max_attempts, attempt + 1),
                    finished_at = NULL, dead_reason = NULL, updated_at = now()
                WHERE project_id = $1 AND id = $2 AND status IN ('dead', 'cancelled')
                """, refusal: "only dead or cancelled runs can be retried", wakesWorkers: true)
    }

    /// Every `dead` run of job `jobID` → `queued` now, each with one more attempt allowed when its attempts are spent
    /// (as ``retry(_:)`` does for one run). Returns how many were requeued; throws not-found when the project has
    /// no such job.
    public func requeueDead(jobID: UUID) async throws -> Int {
        let rows = try await pool.query(
            """
            WITH job AS (SELECT id FROM jobs WHERE project_id = $1 AND id = $2),
            requeued AS (
                UPDATE job_runs
                SET status = 'queued', run_at = now(), max_attempts = greatest(max_attempts, attempt + 1),
                    finished_at = NULL, dead_reason = NULL, updated_at = now()
                WHERE project_id = $1 AND job_id = (SELECT id FROM job) AND status = 'dead'
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM job), (SELECT count(*) FROM requeued)
            """, [projectID, jobID])
        guard try rows[0].decode(Int.self, at: 0) == 1 else { throw StoreError.notFound("job") }
        let requeued = try rows[0].decode(Int.self, at: 1)
        if requeued > 0 { notifier.runsCreated() }
        return requeued
    }

    /// Up to `limit` `dead` runs of job `jobID` (those that died at `since` or later, when given) → `queued` now, as
    /// ``retry(_:)`` does for one run: a bounded batch for the API. Returns how many were requeued and whether
    /// more such dead runs remain; throws not-found when the project has no such job.
    public func requeueDead(jobID: UUID, since: Date?, limit: Int) async throws -> (requeued: Int, hasMore: Bool) {
        let rows = try await pool.query(
            """
            WITH job AS (SELECT id FROM jobs WHERE project_id = $1 AND id = $2),
            picked AS MATERIALIZED (
                SELECT id FROM job_runs
                WHERE project_id = $1 AND job_id = (SELECT id FROM job) AND status = 'dead'
                  AND ($3::timestamptz IS NULL OR finished_at >= $3)
                ORDER BY id LIMIT $4
                FOR UPDATE SKIP LOCKED
            ),
            requeued AS (
                UPDATE job_runs AS r
                SET status = 'queued', run_at = now(), max_attempts = greatest(r.max_attempts, r.attempt + 1),
                    finished_at = NULL, dead_reason = NULL, updated_at = now()
                FROM picked
                WHERE r.project_id = $1 AND r.id = picked.id AND r.status = 'dead'
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM job), (SELECT count(*) FROM requeued),
                   EXISTS (SELECT 1 FROM job_runs
                           WHERE project_id = $1 AND job_id = (SELECT id FROM job) AND status = 'dead'
                             AND ($3::timestamptz IS NULL OR finished_at >= $3)
                             AND id NOT IN (SELECT id FROM picked))
            """, [projectID, jobID, since, limit])
        guard try rows[0].decode(Int.self, at: 0) == 1 else { throw StoreError.notFound("job") }
        let requeued = try rows[0].decode(Int.self, at: 1)
        if requeued > 0 { notifier.runsCreated() }
        return (requeued, try rows[0].decode(Bool.self, at: 2))
    }

    /// `queued` → `cancelled`. A running run cannot be cancelled (its attempt is already under way). Workers are
    /// woken: cancelling the head of an ordering key makes the key's next run runnable.
    public func cancel(_ id: UUID) async throws -> JobRun {
        try await transition(
            id,
            sql: """
                UPDATE job_runs SET status = 'cancelled', finished_at = now(), updated_at = now()
                WHERE project_id = $1 AND id = $2 AND status = 'queued'
                """, refusal: "only queued runs can be cancelled", wakesWorkers: true)
    }

    private func transition(_ id: UUID, sql: String, refusal: String, wakesWorkers: Bool) async throws -> JobRun {
        let rows = try await pool.query(sql, [projectID, id])
        guard rows.affectedRows == 1 else {
            let current = try await get(id)  // 404 when missing
            throw StoreError(.conflict, "\(refusal); this run is \(current.status)")
        }
        if wakesWorkers { notifier.runsCreated() }
        return try await get(id)
    }

    static func run(_ row: PostgresRow) throws -> JobRun {
        JobRun(
            id: try row.decode(UUID.self, at: 0), projectID: try row.decode(UUID.self, at: 1),
            eventID: try row.decode(UUID.self, at: 2), jobID: try row.decode(UUID.self, at: 3),
            subscriptionID: try row.decode(UUID?.self, at: 4), status: try row.decode(String.self, at: 5),
            attempt: try row.decode(Int.self, at: 6), maxAttempts: try row.decode(Int.self, at: 7),
            runAt: try row.decode(Date.self, at: 8), lockedBy: try row.decode(String?.self, at: 9),
            leaseUntil: try row.decode(Date?.self, at: 10), lastError: try row.decode(String?.self, at: 11),
            requestID: try row.decode(String?.self, at: 12), createdAt: try row.decode(Date.self, at: 13),
            updatedAt: try row.decode(Date.self, at: 14), finishedAt: try row.decode(Date?.self, at: 15), attempts: nil,
            deadReason: try row.decode(String?.self, at: 16), deliverAt: try row.decode(Date?.self, at: 17),
            orderingKey: try row.decode(String?.self, at: 18), orderingBlocked: try row.decode(Bool.self, at: 19))
    }
}
