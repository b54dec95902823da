import Foundation
import Inlet
import InletStore
import Postgres
import Testing

/// Rows for queue tests in one scratch database: a project with one source, jobs, events and runs.
struct QueueFixture {
    let pool: PostgresPool
    let projectID = UUID.v7()
    let sourceID = UUID.v7()
    let sourceName = "orders.created"
    let secretBox: SecretBox

    static let secretKey = SecretKey.generate()

    init(pool: PostgresPool) async throws {
        self.pool = pool
        self.secretBox = try SecretBox(keys: [Self.secretKey])
        try await pool.query("INSERT INTO projects (id, name) VALUES ($1, 'test')", [projectID])
        try await pool.query(
            "INSERT INTO event_sources (project_id, id, name) VALUES ($1, $2, $3)", [projectID, sourceID, sourceName])
    }

    struct Job {
        let id: UUID
        let secret: SigningSecret
    }

    /// A job with a fresh `whsec_` secret, sealed as the API seals it. `retryPolicy` is stored as given (JSON text);
    /// tests that retry give short delays.
    func createJob(
        kind: String = "noop", config: String = "{}", maxAttempts: Int = 10, enabled: Bool = true,
        retryPolicy: String? = nil
    ) async throws -> Job {
        let id = UUID.v7()
        let secret = SigningSecret.generate(for: .standardWebhooks)
        let sealed = try secretBox.seal(secret, context: "job:" + id.lowercasedString)
        try await pool.query(
            """
            INSERT INTO jobs (project_id, id, name, kind, config, max_attempts, enabled, signing_secret)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """,
            [
                projectID, id, "job-\(id.lowercasedString.suffix(8))", kind, PostgresJSON(config), Int32(maxAttempts),
                enabled, Data(sealed),
            ])
        if let retryPolicy {  // a column of migration 0004: tests of older schemas leave it out
            try await pool.query(
                "UPDATE jobs SET retry_policy = $3 WHERE project_id = $1 AND id = $2",
                [projectID, id, PostgresJSON(retryPolicy)])
        }
        return Job(id: id, secret: secret)
    }

    /// An event, `ageDays` old.
    func createEvent(payload: String = #"{"order":42}"#, requestID: String? = "req-1", ageDays: Int = 0)
        async throws -> UUID
    {
        let id = UUID.v7()
        try await pool.query(
            """
            INSERT INTO events (project_id, id, source_id, payload, request_id, received_at)
            VALUES ($1, $2, $3, $4, $5, now() - $6 * interval '1 day')
            """,
            [projectID, id, sourceID, PostgresJSON(payload), requestID, ageDays])
        return id
    }

    /// `count` queued runs of `job` for one event (a new one unless given), runnable now.
    @discardableResult
    func enqueue(_ count: Int, of job: Job, event: UUID? = nil, maxAttempts: Int = 10) async throws -> [UUID] {
        let eventID: UUID
        if let event { eventID = event } else { eventID = try await createEvent() }
        let ids = (0..<count).map { _ in UUID.v7() }
        try await pool.query(
            """
            INSERT INTO job_runs (project_id, id, event_id, job_id, max_attempts, run_at)
            SELECT $1, id, $3, $4, $5, now() - interval '1 second' FROM unnest($2::uuid[]) AS id
            """,
            [projectID, ids, eventID, job.id, Int32(maxAttempts)])
        return ids
    }

    struct RunRow {
        let status: String
        let attempt: Int
        let lockedBy: String?
        let runAtInFuture: Bool
        let runAtDelaySeconds: Double
        let lastError: String?
        let finished: Bool
    }

    func run(_ id: UUID) async throws -> RunRow {
        let rows = try await pool.query(
            """
            SELECT status, attempt, locked_by, run_at > now(), extract(epoch FROM run_at - now())::float8,
                   last_error, finished_at IS NOT NULL
            FROM job_runs WHERE project_id = $1 AND id = $2
            """, [projectID, id])
        guard let row = rows.first else { throw FixtureError(message: "no run \(id)") }
        return RunRow(
            status: try row.decode(String.self, at: 0), attempt: try row.decode(Int.self, at: 1),
            lockedBy: try row.decode(String?.self, at: 2), runAtInFuture: try row.decode(Bool.self, at: 3),
            runAtDelaySeconds: try row.decode(Double.self, at: 4), lastError: try row.decode(String?.self, at: 5),
            finished: try row.decode(Bool.self, at: 6))
    }

    struct AttemptRow {
        let attempt: Int
        let outcome: String
        let statusCode: Int?
        let error: String?
        let responseExcerpt: String?
        let worker: String?
        let durationMilliseconds: Int
    }

    func attempts(_ id: UUID) async throws -> [AttemptRow] {
        try await pool.query(
            """
            SELECT attempt, outcome, status_code, error, response_excerpt, worker, duration_ms
            FROM run_attempts WHERE project_id = $1 AND run_id = $2 ORDER BY attempt
            """, [projectID, id]
        ).map { row in
            AttemptRow(
                attempt: try row.decode(Int.self, at: 0), outcome: try row.decode(String.self, at: 1),
                statusCode: try row.decode(Int?.self, at: 2), error: try row.decode(String?.self, at: 3),
                responseExcerpt: try row.decode(String?.self, at: 4), worker: try row.decode(String?.self, at: 5),
                durationMilliseconds: try row.decode(Int.self, at: 6))
        }
    }

    /// Runs per status.
    func statusCounts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await pool.query("SELECT status, count(*) FROM job_runs GROUP BY status") {
            counts[try row.decode(String.self, at: 0)] = try row.decode(Int.self, at: 1)
        }
        return counts
    }

    /// Makes `id`'s lease expire now, as if its worker had died.
    func expireLease(_ id: UUID) async throws {
        try await pool.query(
            "UPDATE job_runs SET lease_until = now() - interval '1 second' WHERE project_id = $1 AND id = $2",
            [projectID, id])
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes.
///
/// The default is long because it only matters when the condition never comes: under load, the suite's tasks can
/// wait tens of seconds for a thread (two cores, every test in flight at once).
func eventually(
    timeout: Duration = .seconds(120), _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

/// Waits until `condition` holds, recording an issue if it does not within `timeout`.
func waitUntil(
    timeout: Duration = .seconds(120), _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    if try await !eventually(timeout: timeout, condition) {
        let suffix = comment.map { ": \($0.rawValue)" } ?? ""
        Issue.record("condition not met within \(timeout)\(suffix)", sourceLocation: sourceLocation)
    }
}
