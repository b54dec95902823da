import Foundation
import InletStore
import Postgres

/// The PostgreSQL server the tests run against, and throwaway databases on it.
///
/// `scripts/test` starts the server and exports `DATABASE_URL`; without it, the checkout's `scripts/dev-db` cluster
/// is used, so `swift test` works after `scripts/dev-db start`.
public enum TestDatabase {
    public static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    public static let migrationsDirectory = repositoryRoot.appendingPathComponent("sql")

    public static let url: String = {
        if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty { return url }
        let portFile = repositoryRoot.appendingPathComponent(".data/postgres/port")
        if let port = try? String(contentsOf: portFile, encoding: .utf8) {
            let trimmed = port.trimmingCharacters(in: .whitespacesAndNewlines)
            return "postgres://inlet@127.0.0.1:\(trimmed)/inlet_test?sslmode=disable"
        }
        fatalError("DATABASE_URL is not set; run the tests with scripts/test")
    }()

    public static func configuration(databaseName: String? = nil) throws -> PostgresConfiguration {
        try PostgresConfiguration(url: url, databaseName: databaseName, applicationName: "inlet-tests")
    }

    /// A pool on the shared test database; the caller shuts it down.
    public static func makePool(
        _ poolConfiguration: PostgresPoolConfiguration = .init(maxConnections: 4)
    ) throws -> PostgresPool {
        PostgresPool(configuration: try configuration(), poolConfiguration: poolConfiguration)
    }

    /// The shared test database, migrated once per test process. Tests on it isolate themselves by project.
    public static func migratedPool(
        _ poolConfiguration: PostgresPoolConfiguration = .init(maxConnections: 8)
    ) async throws -> PostgresPool {
        let pool = try makePool(poolConfiguration)
        try await Migrator(migrations: try Migration.load(from: migrationsDirectory)).migrate(pool)
        return pool
    }

    /// Creates an empty database (migrated when `migrated`), runs `body` with a pool on it, then drops it.
    /// For tests that need a database of their own, such as queue tests that claim across all projects.
    public static func withScratchDatabase<T: Sendable>(
        migrated: Bool = true, maxConnections: Int = 8, _ body: (PostgresPool, PostgresConfiguration) async throws -> T
    ) async throws -> T {
        let name = "inlet_scratch_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased())"
        let admin = try makePool(.init(maxConnections: 1))
        try await admin.query("CREATE DATABASE \(name)")
        let configuration = try configuration(databaseName: name)
        let pool = PostgresPool(configuration: configuration, poolConfiguration: .init(maxConnections: maxConnections))
        func cleanUp() async {
            await pool.shutdown()
            _ = try? await admin.query("DROP DATABASE \(name) WITH (FORCE)")
            await admin.shutdown()
        }
        do {
            if migrated { try await Migrator(migrations: try Migration.load(from: migrationsDirectory)).migrate(pool) }
            let result = try await body(pool, configuration)
            await cleanUp()
            return result
        } catch {
            await cleanUp()
            throw error
        }
    }
}

extension PostgresPool {
    /// Runs `body` with the pool and shuts the pool down afterwards, also when `body` throws.
    public func using<T: Sendable>(_ body: (PostgresPool) async throws -> T) async throws -> T {
        do {
            let result = try await body(self)
            await shutdown()
            return result
        } catch {
            await shutdown()
            throw error
        }
    }
}
