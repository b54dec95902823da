import Foundation
import Inlet
import Postgres

/// Projects and their API keys. Not project-scoped: only admin callers (and the CLI) reach it.
public struct ProjectRepository: Sendable {
    let pool: PostgresPool

    public init(pool: PostgresPool) { self.pool = pool }

    public func create(name: String) async throws -> Project {
        let rows = try await pool.query(
            "INSERT INTO projects (id, name) VALUES ($1, $2) RETURNING id, name, created_at", [UUID.v7(), name])
        return try Self.project(rows[0])
    }

    public func get(_ id: UUID) async throws -> Project {
        let rows = try await pool.query("SELECT id, name, created_at FROM projects WHERE id = $1", [id])
        guard let row = rows.first else { throw StoreError.notFound("project") }
        return try Self.project(row)
    }

    public func exists(_ id: UUID) async throws -> Bool {
        try await pool.query("SELECT 1 FROM projects WHERE id = $1", [id]).count == 1
    }

    public func list(_ page: Page) async throws -> PageResult<Project> {
        let rows = try await pool.query(
            """
            SELECT id, name, created_at FROM projects
            WHERE ($1::uuid IS NULL OR id < $1) ORDER BY id DESC LIMIT $2
            """, [page.after, page.limit + 1])
        return PageResult(fetched: try rows.map(Self.project), limit: page.limit)
    }

    static func project(_ row: PostgresRow) throws -> Project {
        Project(
            id: try row.decode(UUID.self, at: 0), name: try row.decode(String.self, at: 1),
            createdAt: try row.decode(Date.self, at: 2))
    }

    // MARK: API keys

    static let keyColumns = "id, project_id, name, token_prefix, is_admin, created_at, last_used_at"

    /// Issues a key; the token is returned only here. `projectID` nil makes an admin key.
    public func createKey(projectID: UUID?, name: String) async throws -> (key: APIKey, token: APIToken) {
        let token = APIToken.generate()
        let prefix = String(token.unredactedText.prefix(12))
        let rows = try await translatingErrors(conflicts: ["api_keys_project_id_fkey": "project not found"]) {
            try await pool.query(
                """
                INSERT INTO api_keys (id, project_id, name, token_hash, token_prefix, is_admin)
                VALUES ($1, $2, $3, $4, $5, $6) RETURNING \(Self.keyColumns)
                """,
                [UUID.v7(), projectID, name, Data(token.hash.bytes), prefix, projectID == nil])
        }
        return (try Self.key(rows[0]), token)
    }

    public func listKeys(projectID: UUID, page: Page) async throws -> PageResult<APIKey> {
        let rows = try await pool.query(
            """
            SELECT \(Self.keyColumns) FROM api_keys
            WHERE project_id = $1 AND ($2::uuid IS NULL OR id < $2) ORDER BY id DESC LIMIT $3
            """, [projectID, page.after, page.limit + 1])
        return PageResult(fetched: try rows.map(Self.key), limit: page.limit)
    }

    public func deleteKey(projectID: UUID, keyID: UUID) async throws {
        let rows = try await pool.query("DELETE FROM api_keys WHERE project_id = $1 AND id = $2", [projectID, keyID])
        guard rows.affectedRows == 1 else { throw StoreError.notFound("API key") }
    }

    /// The principal a token acts as, or `nil` for an unknown token. Records the key's last use (at most once a
    /// minute, in the same round trip).
    public func authenticate(_ token: APIToken) async throws -> Principal? {
        let rows = try await pool.query(
            """
            WITH found AS (SELECT id, project_id, is_admin, last_used_at FROM api_keys WHERE token_hash = $1),
            touched AS (
                UPDATE api_keys SET last_used_at = now()
                WHERE id = (SELECT id FROM found)
                  AND (last_used_at IS NULL OR last_used_at < now() - interval '60 seconds')
            )
            SELECT id, project_id, is_admin FROM found
            """, [Data(token.hash.bytes)])
        guard let row = rows.first else { return nil }
        let keyID = try row.decode(UUID.self, at: 0)
        if try row.decode(Bool.self, at: 2) { return .admin(keyID: keyID) }
        return .project(try row.decode(UUID.self, at: 1), keyID: keyID)
    }

    static func key(_ row: PostgresRow) throws -> APIKey {
        APIKey(
            id: try row.decode(UUID.self, at: 0), projectID: try row.decode(UUID?.self, at: 1),
            name: try row.decode(String.self, at: 2), tokenPrefix: try row.decode(String.self, at: 3),
            isAdmin: try row.decode(Bool.self, at: 4), createdAt: try row.decode(Date.self, at: 5),
            lastUsedAt: try row.decode(Date?.self, at: 6))
    }
}
