import Foundation
import Postgres

/// Throwaway databases on the test server, for tests that need an empty schema.
enum ScratchDatabase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let migrationsDirectory = repositoryRoot.appendingPathComponent("sql")

    static let serverURL: String = {
        if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty { return url }
        if let port = try? String(contentsOf: repositoryRoot.appendingPathComponent(".data/postgres/port"), encoding: .utf8) {
            return "postgres://inlet@127.0.0.1:\(port.trimmingCharacters(in: .whitespacesAndNewlines))/inlet?sslmode=disable"
        }
        fatalError("DATABASE_URL is not set; run the tests with scripts/test")
    }()

    /// Creates an empty database, runs `body` with a pool on it, and drops it.
    static func with(_ body: (PostgresPool) async throws -> Void) async throws {
        let name = "inlet_scratch_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = PostgresPool(configuration: try PostgresConfiguration(url: serverURL), poolConfiguration: .init(maxConnections: 1))
        try await admin.query("CREATE DATABASE \(name)")
        let pool = PostgresPool(configuration: try PostgresConfiguration(url: serverURL, databaseName: name), poolConfiguration: .init(maxConnections: 4))
        do {
            try await body(pool)
        } catch {
            await pool.shutdown()
            try await admin.query("DROP DATABASE \(name) WITH (FORCE)")
            await admin.shutdown()
            throw error
        }
        await pool.shutdown()
        try await admin.query("DROP DATABASE \(name) WITH (FORCE)")
        await admin.shutdown()
    }
}
