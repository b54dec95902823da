import Foundation
import Inlet
import Postgres

/// A PATCH of a project's limits: a value sets, `nil` (JSON null) goes back to the default.
public struct ProjectLimitsPatch: Sendable {
    public var weight: Patch<Int?> = .keep
    public var maxJobs: Patch<Int?> = .keep
    public var maxSubscriptionsPerSource: Patch<Int?> = .keep
    public var maxRunsPerEvent: Patch<Int?> = .keep
    public var maxDispatchesPerSecond: Patch<Int?> = .keep
    public var maxEventBytesPerSecond: Patch<Int?> = .keep
    public init() {}
}

/// A project's limits as stored, with when they last changed (`nil` while the project has only defaults).
public struct StoredProjectLimits: Sendable, Equatable {
    public var projectID: UUID
    public var limits: ProjectLimits
    public var updatedAt: Date?
}

extension ProjectRepository {
    static let limitColumns =
        "weight, max_jobs, max_subscriptions_per_source, max_runs_per_event, max_dispatches_per_second, updated_at, "
        + "max_event_bytes_per_second"

    /// The project's weight and quotas (defaults where none were set).
    public func limits(_ projectID: UUID) async throws -> ProjectLimits {
        try await storedLimits(projectID).limits
    }

    /// The project's limits and when they changed; not found when the project does not exist.
    public func storedLimits(_ projectID: UUID) async throws -> StoredProjectLimits {
        let rows = try await pool.query(
            """
            SELECT \(Self.limitColumns.split(separator: ",").map { "l." + $0.trimmingCharacters(in: .whitespaces) }
                .joined(separator: ", "))
            FROM projects AS p LEFT JOIN project_limits AS l ON l.project_id = p.id
            WHERE p.id = $1
            """, [projectID])
        guard let row = rows.first else { throw StoreError.notFound("project") }
        return try Self.limits(row, projectID: projectID)
    }

    /// Applies a patch of the project's limits (creating its row on first use).
    public func updateLimits(_ projectID: UUID, _ patch: ProjectLimitsPatch) async throws -> StoredProjectLimits {
        try await translatingErrors(conflicts: ["project_limits_project_id_fkey": "project not found"]) {
            try await pool.withTransaction { connection in
                guard try await !connection.query("SELECT 1 FROM projects WHERE id = $1", [projectID]).isEmpty else {
                    throw StoreError.notFound("project")
                }
                try await connection.query(
                    "INSERT INTO project_limits (project_id) VALUES ($1) ON CONFLICT DO NOTHING", [projectID])
                let current = try await connection.query(
                    "SELECT \(Self.limitColumns) FROM project_limits WHERE project_id = $1 FOR UPDATE", [projectID])
                var limits = try Self.limits(current[0], projectID: projectID).limits
                limits.weight = patch.weight.applied(to: limits.weight)
                limits.maxJobs = patch.maxJobs.applied(to: limits.maxJobs)
                limits.maxSubscriptionsPerSource = patch.maxSubscriptionsPerSource.applied(
                    to: limits.maxSubscriptionsPerSource)
                limits.maxRunsPerEvent = patch.maxRunsPerEvent.applied(to: limits.maxRunsPerEvent)
                limits.maxDispatchesPerSecond = patch.maxDispatchesPerSecond.applied(to: limits.maxDispatchesPerSecond)
                limits.maxEventBytesPerSecond = patch.maxEventBytesPerSecond.applied(to: limits.maxEventBytesPerSecond)
                let rows = try await connection.query(
                    """
                    UPDATE project_limits
                    SET weight = $2, max_jobs = $3, max_subscriptions_per_source = $4, max_runs_per_event = $5,
                        max_dispatches_per_second = $6, max_event_bytes_per_second = $7, updated_at = now()
                    WHERE project_id = $1
                    RETURNING \(Self.limitColumns)
                    """,
                    [
                        projectID, limits.weight, limits.maxJobs, limits.maxSubscriptionsPerSource,
                        limits.maxRunsPerEvent, limits.maxDispatchesPerSecond, limits.maxEventBytesPerSecond,
                    ])
                return try Self.limits(rows[0], projectID: projectID)
            }
        }
    }

    static func limits(_ row: PostgresRow, projectID: UUID) throws -> StoredProjectLimits {
        StoredProjectLimits(
            projectID: projectID,
            limits: ProjectLimits(
                weight: try row.decode(Int?.self, at: 0), maxJobs: try row.decode(Int?.self, at: 1),
                maxSubscriptionsPerSource: try row.decode(Int?.self, at: 2),
                maxRunsPerEvent: try row.decode(Int?.self, at: 3),
                maxDispatchesPerSecond: try row.decode(Int?.self, at: 4),
                maxEventBytesPerSecond: try row.decode(Int?.self, at: 6)),
            updatedAt: try row.decode(Date?.self, at: 5))
    }
}
