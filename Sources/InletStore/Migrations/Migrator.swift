import Logging
import Postgres

/// Applies ``Migration``s in order, each in a transaction, recording them in `schema_migrations`.
///
/// A session advisory lock serialises migrators across processes, so any number of servers may start at once:
/// the first applies, the others wait and then find nothing to do.
public struct Migrator: Sendable {
    public let migrations: [Migration]
    let logger: Logger

    /// Advisory lock key: the first eight bytes of "inlet.mi" as a bigint.
    static let lockKey: Int64 = 0x696E_6C65_742E_6D69

    public init(migrations: [Migration], logger: Logger = Logger(label: "inlet.migrations")) {
        self.migrations = migrations
        self.logger = logger
    }

    /// Applies what is missing and returns the versions applied by this call.
    @discardableResult
    public func migrate(_ pool: PostgresPool) async throws -> [Int] {
        try await pool.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock($1)", [Self.lockKey])
            do {
                let applied = try await apply(on: connection)
                try await connection.query("SELECT pg_advisory_unlock($1)", [Self.lockKey])
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock($1)", [Self.lockKey])
                throw error
            }
        }
    }

    private func apply(on connection: PostgresConnection) async throws -> [Int] {
        try await connection.execute(
            script: """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version     integer PRIMARY KEY,
                    name        text NOT NULL,
                    checksum    text NOT NULL,
                    applied_at  timestamptz NOT NULL DEFAULT now()
                )
                """)
        let recorded = try await appliedChecksums(on: connection)
        var appliedNow: [Int] = []
        for migration in migrations {
            if let checksum = recorded[migration.version] {
                guard checksum == migration.checksum else {
                    throw MigrationError(
                        message: "migration \(migration.version)_\(migration.name) was edited after it was applied "
                            + "(checksum mismatch); add a new migration instead")
                }
                continue
            }
            try await connection.withTransaction { transaction in
                try await transaction.execute(script: migration.sql)
                try await transaction.query(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    [migration.version, migration.name, migration.checksum])
            }
            logger.info(
                "applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            appliedNow.append(migration.version)
        }
        return appliedNow
    }

    /// Versions that this code knows but the database has not applied yet (empty when current).
    public func pending(_ pool: PostgresPool) async throws -> [Int] {
        let recorded = try await pool.withConnection { connection -> [Int: String] in
            let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL")
            guard try exists[0].decode(Bool.self, at: 0) else { return [:] }
            return try await appliedChecksums(on: connection)
        }
        return migrations.map(\.version).filter { recorded[$0] == nil }
    }

    private func appliedChecksums(on connection: PostgresConnection) async throws -> [Int: String] {
        let rows = try await connection.query("SELECT version, checksum FROM schema_migrations")
        var checksums: [Int: String] = [:]
        for row in rows { checksums[try row.decode(Int.self, at: 0)] = try row.decode(String.self, at: 1) }
        return checksums
    }
}
