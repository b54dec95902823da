import Foundation
import Inlet
import Postgres

/// A PATCH of a subscription.
public struct SubscriptionPatch: Sendable {
    public var filterExpression: Patch<JSONValue> = .keep
    public var enabled: Patch<Bool> = .keep
    /// `.set(nil)` removes the path.
    public var orderingKeyPath: Patch<String?> = .keep
    public init() {}
}

/// Subscriptions of one project. Every change bumps the source's `version`, which dispatch caches check.
public struct SubscriptionRepository: Sendable {
    public let projectID: UUID
    let pool: PostgresPool

    public init(projectID: UUID, pool: PostgresPool) {
        self.projectID = projectID
        self.pool = pool
    }

    static let columns =
        "id, project_id, source_id, target_type, target_id, filter_expr, enabled, created_at, updated_at, ordering_key_path"
    static let conflicts = [
        "subscriptions_project_id_source_id_target_id_key": "the source already has a subscription to this job",
        "subscriptions_project_id_source_id_fkey": "event source not found",
        "subscriptions_project_id_target_id_fkey": "target job not found in this project",
    ]

    /// Subscribes a source of this project to a job of this project.
    public func create(
        sourceID: UUID, targetID: UUID, filterExpression: JSONValue, enabled: Bool, orderingKeyPath: String? = nil
    ) async throws -> Subscription {
        try await translatingErrors(conflicts: Self.conflicts) {
            let rows = try await pool.query(
                """
                WITH source AS (
                    UPDATE event_sources SET version = version + 1
                    WHERE project_id = $1 AND id = $3
                      AND (SELECT count(*) FROM subscriptions WHERE project_id = $1 AND source_id = $3)
                          < coalesce((SELECT max_subscriptions_per_source FROM project_limits WHERE project_id = $1), $7)
                    RETURNING id
                ), job AS (
                    SELECT id FROM jobs WHERE project_id = $1 AND id = $4
                )
                INSERT INTO subscriptions (id, project_id, source_id, target_type, target_id, filter_expr, enabled,
                                           ordering_key_path)
                SELECT $2, $1, source.id, 'job', job.id, $5, $6, $8 FROM source, job
                RETURNING \(Self.columns)
                """,
                [
                    projectID, UUID.v7(), sourceID, targetID, filterExpression.postgres, enabled,
                    ProjectLimits.defaultMaxSubscriptionsPerSource, orderingKeyPath,
                ])
            guard let row = rows.first else {
                // The source or the job is missing from this project, or the source is at its quota.
                let source = try await pool.query(
                    "SELECT 1 FROM event_sources WHERE project_id = $1 AND id = $2", [projectID, sourceID])
                if source.isEmpty { throw StoreError.notFound("event source") }
                let job = try await pool.query(
                    "SELECT 1 FROM jobs WHERE project_id = $1 AND id = $2", [projectID, targetID])
                if !job.isEmpty {
                    throw try await JobRepository.quotaError(
                        projectID: projectID, pool: pool, "max_subscriptions_per_source",
                        "the event source has reached the project's quota of subscriptions per source; delete one or "
                            + "ask an admin to raise it")
                }
                throw StoreError(
                    .invalid, "target job not found in this project",
                    issues: [ValidationIssue(path: "/target_id", message: "no job with this id in the project")])
            }
            return try Self.subscription(row)
        }
    }

    public func get(sourceID: UUID, id: UUID) async throws -> Subscription {
        let rows = try await pool.query(
            "SELECT \(Self.columns) FROM subscriptions WHERE project_id = $1 AND source_id = $2 AND id = $3",
            [projectID, sourceID, id])
        guard let row = rows.first else { throw StoreError.notFound("subscription") }
        return try Self.subscription(row)
    }

    /// Subscriptions of a source; not found when the source is not this project's.
    public func list(sourceID: UUID, page: Page) async throws -> PageResult<Subscription> {
        let rows = try await pool.query(
            """
            SELECT \(Self.columns), true FROM subscriptions
            WHERE project_id = $1 AND source_id = $2 AND ($3::uuid IS NULL OR id < $3)
            UNION ALL
            SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false
            WHERE NOT EXISTS (SELECT 1 FROM event_sources WHERE project_id = $1 AND id = $2)
            ORDER BY 1 DESC LIMIT $4
            """, [projectID, sourceID, page.after, page.limit + 1])
        if let first = rows.first, try !first.decode(Bool.self, at: 10) { throw StoreError.notFound("event source") }
        return PageResult(fetched: try rows.map(Self.subscription), limit: page.limit)
    }

    public func update(sourceID: UUID, id: UUID, _ patch: SubscriptionPatch) async throws -> Subscription {
        let rows = try await pool.query(
            """
            WITH updated AS (
                UPDATE subscriptions SET
                    filter_expr = CASE WHEN $4 THEN $5 ELSE filter_expr END,
                    enabled = CASE WHEN $6 THEN $7 ELSE enabled END,
                    ordering_key_path = CASE WHEN $8 THEN $9 ELSE ordering_key_path END,
                    updated_at = now()
                WHERE project_id = $1 AND source_id = $2 AND id = $3 RETURNING \(Self.columns)
            ), bumped AS (
                UPDATE event_sources SET version = version + 1
                WHERE project_id = $1 AND id = $2 AND EXISTS (SELECT 1 FROM updated)
            )
            SELECT * FROM updated
            """,
            [
                projectID, sourceID, id, patch.filterExpression.isSet, patch.filterExpression.applied(to: [:]).postgres,
                patch.enabled.isSet, patch.enabled.applied(to: true), patch.orderingKeyPath.isSet,
                patch.orderingKeyPath.applied(to: nil),
            ])
        guard let row = rows.first else { throw StoreError.notFound("subscription") }
        return try Self.subscription(row)
    }

    public func delete(sourceID: UUID, id: UUID) async throws {
        let rows = try await pool.query(
            """
            WITH deleted AS (
                DELETE FROM subscriptions WHERE project_id = $1 AND source_id = $2 AND id = $3 RETURNING id
            ), bumped AS (
                UPDATE event_sources SET version = version + 1
                WHERE project_id = $1 AND id = $2 AND EXISTS (SELECT 1 FROM deleted)
            )
            SELECT count(*) FROM deleted
            """, [projectID, sourceID, id])
        guard try rows[0].decode(Int64.self, at: 0) == 1 else { throw StoreError.notFound("subscription") }
    }

    static func subscription(_ row: PostgresRow) throws -> Subscription {
        Subscription(
            id: try row.decode(UUID.self, at: 0), projectID: try row.decode(UUID.self, at: 1),
            sourceID: try row.decode(UUID.self, at: 2), targetType: try row.decode(String.self, at: 3),
            targetID: try row.decode(UUID.self, at: 4), filterExpression: try row.decodeJSON(at: 5),
            enabled: try row.decode(Bool.self, at: 6), createdAt: try row.decode(Date.self, at: 7),
            updatedAt: try row.decode(Date.self, at: 8), orderingKeyPath: try row.decode(String?.self, at: 9))
    }
}
