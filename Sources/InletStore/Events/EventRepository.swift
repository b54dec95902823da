import Foundation
import Inlet
import Postgres

/// Events of one project.
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

    /// Events of source `sourceID` received in `[from, to)`, oldest first, after the event `after` (a cursor: the
    /// last id a previous batch handled), at most `limit` of them; `hasMore` when the range holds more.
    public func range(sourceID: UUID, from: Date, to: Date, after: UUID?, limit: Int) async throws
        -> PageResult<Event>
    {
        let rows = try await pool.query(
            """
            SELECT \(Self.columns) FROM events
            WHERE project_id = $1 AND source_id = $2 AND received_at >= $3 AND received_at < $4
              AND ($5::uuid IS NULL OR id > $5)
            ORDER BY id LIMIT $6
            """, [projectID, sourceID, from, to, after, limit + 1])
        return PageResult(fetched: try rows.map(Self.event), limit: limit)
    }

    public func get(_ id: UUID) async throws -> Event {
        let rows = try await pool.query(
            "SELECT \(Self.columns) FROM events WHERE project_id = $1 AND id = $2", [projectID, id])
        guard let row = rows.first else { throw StoreError.notFound("event") }
        return try Self.event(row)
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
