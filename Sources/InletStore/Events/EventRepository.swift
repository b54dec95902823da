import Foundation
import Inlet
import Postgres

/// Events of one project, and replays of them.
public struct EventRepository: Sendable {
    public let projectID: UUID
    let pool: PostgresPool

    public init(projectID: UUID, pool: PostgresPool) {
        self.projectID = projectID
        self.pool = pool
    }

    static let columns = """
        id, project_id, source_id, idempotency_key, payload, headers, via, verification, request_id, dispatched, \
        received_at
        """

    /// Newest first; `sourceID` narrows to one source.
    public func list(sourceID: UUID?, page: Page) async throws -> PageResult<Event> {
        let rows = try await pool.query(
            """
            SELECT \(Self.columns) FROM events
            WHERE project_id = $1 AND ($2::uuid IS NULL OR source_id = $2) AND ($3::uuid IS NULL OR id < $3)
            ORDER BY id DESC LIMIT $4
            """, [projectID, sourceID, page.after, page.limit + 1])
        return PageResult(fetched: try rows.map(Self.event), limit: page.limit)
    }

    public func get(_ id: UUID) async throws -> Event {
        let rows = try await pool.query(
            "SELECT \(Self.columns) FROM events WHERE project_id = $1 AND id = $2", [projectID, id])
        guard let row = rows.first else { throw StoreError.notFound("event") }
        return try Self.event(row)
    }

    /// Creates runs for `targets` on an existing event (a replay); returns how many were created.
    public func addRuns(eventID: UUID, targets: [SourceRoute.Target], requestID: String?) async throws -> Int {
        let rows = try await pool.query(
            """
            INSERT INTO job_runs (project_id, id, event_id, job_id, subscription_id, max_attempts, request_id)
            SELECT $1, r.id, $2, r.job_id, r.subscription_id, r.max_attempts, $3
            FROM unnest($4::uuid[], $5::uuid[], $6::uuid[], $7::int4[]) AS r (id, job_id, subscription_id, max_attempts)
            """,
            [
                projectID, eventID, requestID, targets.map { _ in UUID.v7() }, targets.map(\.jobID),
                targets.map(\.subscriptionID), targets.map { Int32($0.maxAttempts) },
            ])
        return rows.affectedRows
    }

    static func event(_ row: PostgresRow) throws -> Event {
        Event(
            id: try row.decode(UUID.self, at: 0), projectID: try row.decode(UUID.self, at: 1),
            sourceID: try row.decode(UUID.self, at: 2), idempotencyKey: try row.decode(String?.self, at: 3),
            payload: try row.decodeJSON(at: 4), headers: try row.decodeJSON(at: 5),
            via: try row.decode(String.self, at: 6),
            verification: try row.decode(String?.self, at: 7), requestID: try row.decode(String?.self, at: 8),
            dispatched: try row.decode(Int.self, at: 9), receivedAt: try row.decode(Date.self, at: 10))
    }
}
