import Foundation
import Postgres

/// Runs per status and the age of the oldest runnable run, for one project.
public struct ProjectQueueStatistics: Sendable, Equatable {
    public let projectID: UUID
    public var queued = 0
    public var running = 0
    public var succeeded = 0
    public var dead = 0
    public var cancelled = 0
    /// How long the oldest queued run whose `run_at` has passed has been waiting; `nil` when none is.
    public var oldestQueuedAge: Duration?

    public init(projectID: UUID) {
        self.projectID = projectID
    }
}

/// The whole queue at a glance: what the server's `/metrics` reports.
public struct QueueSummary: Sendable, Equatable {
    /// Queued runs whose `run_at` has passed.
    public var runnable: Int
    public var running: Int
    /// How long the oldest runnable run has been waiting (zero when none is).
    public var oldestRunnableAgeSeconds: Double
    /// Jobs whose circuit is open (deliveries paused) and half-open (a probe running).
    public var openCircuits = 0
    public var halfOpenCircuits = 0
}

extension JobRunQueue {
    /// Runnable and running runs of all projects, the oldest runnable age, and the circuits not closed (partial
    /// indexes on those states keep it cheap; the server caches it between scrapes).
    public func summary() async throws -> QueueSummary {
        let rows = try await pool.query(
            """
            SELECT
                (SELECT count(*) FROM job_runs WHERE status = 'queued' AND run_at <= now()),
                (SELECT count(*) FROM job_runs WHERE status = 'running'),
                coalesce((SELECT extract(epoch FROM now() - min(run_at))::float8 FROM job_runs
                          WHERE status = 'queued' AND run_at <= now()), 0),
                (SELECT count(*) FROM job_claim_state WHERE breaker_state = 'open'),
                (SELECT count(*) FROM job_claim_state WHERE breaker_state = 'half_open')
            """)
        return QueueSummary(
            runnable: try rows[0].decode(Int.self, at: 0), running: try rows[0].decode(Int.self, at: 1),
            oldestRunnableAgeSeconds: try rows[0].decode(Double.self, at: 2),
            openCircuits: try rows[0].decode(Int.self, at: 3), halfOpenCircuits: try rows[0].decode(Int.self, at: 4))
    }

    /// Counts by status and the oldest runnable age, per project (projects without runs are absent). Scans the
    /// runs table: for the admin CLI and periodic metrics, not for hot paths.
    public func statistics() async throws -> [ProjectQueueStatistics] {
        let rows = try await pool.query(
            """
            SELECT project_id, status, count(*),
                   extract(epoch FROM now() - min(run_at) FILTER (WHERE status = 'queued' AND run_at <= now()))::float8
            FROM job_runs
            GROUP BY project_id, status
            ORDER BY project_id, status
            """)
        var projects: [ProjectQueueStatistics] = []
        for row in rows {
            let projectID = try row.decode(UUID.self, at: 0)
            if projects.last?.projectID != projectID { projects.append(ProjectQueueStatistics(projectID: projectID)) }
            let count = try row.decode(Int.self, at: 2)
            switch try row.decode(String.self, at: 1) {
            case "queued": projects[projects.count - 1].queued = count
            case "running": projects[projects.count - 1].running = count
            case "succeeded": projects[projects.count - 1].succeeded = count
            case "dead": projects[projects.count - 1].dead = count
            case "cancelled": projects[projects.count - 1].cancelled = count
            default: break
            }
            if let seconds = try row.decode(Double?.self, at: 3) {
                projects[projects.count - 1].oldestQueuedAge = .milliseconds(Int64(max(0, seconds) * 1000))
            }
        }
        return projects
    }
}
