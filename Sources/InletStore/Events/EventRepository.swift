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
        received_at, ordering_key
        """

    /// Newest first; `sourceID` narrows to one source.
    /// Which stored events a list shows; every condition is optional.
    public struct Filter: Sendable {
        public var sourceID: UUID?
        /// `api`, `ingest` or `replay`.
        public var via: String?
        /// Received at or after.
        public var from: Date?
        /// Received before.
        public var to: Date?

        public init(sourceID: UUID? = nil, via: String? = nil, from: Date? = nil, to: Date? = nil) {
            self.sourceID = sourceID
            self.via = via
            self.from = from
            self.to = to
        }
    }

    public func list(sourceID: UUID?, page: Page) async throws -> PageResult<Event> {
        try await list(Filter(sourceID: sourceID), page: page)
    }

    public func list(_ filter: Filter, page: Page) async throws -> PageResult<Event> {
        let rows = try await pool.query(
            """
            SELECT \(Self.columns) FROM events
            WHERE project_id = $1 AND ($2::uuid IS NULL OR source_id = $2) AND ($3::uuid IS NULL OR id < $3)
              AND ($5::text IS NULL OR via = $5) AND ($6::timestamptz IS NULL OR received_at >= $6)
              AND ($7::timestamptz IS NULL OR received_at < $7)
            ORDER BY id DESC LIMIT $4
            """, [projectID, filter.sourceID, page.after, page.limit + 1, filter.via, filter.from, filter.to])
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
            dispatched: try row.decode(Int.self, at: 9), receivedAt: try row.decode(Date.self, at: 10),
            orderingKey: try row.decode(String?.self, at: 11))
    }
}
