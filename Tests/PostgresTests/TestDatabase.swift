import Foundation
import Postgres

/// The PostgreSQL that `scripts/test` starts (its URL is in `DATABASE_URL`).
enum TestDatabase {
    static let url: String = {
        if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty { return url }
        // Fall back to the dev cluster of this checkout, so `swift test` works after `scripts/dev-db start`.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        if let port = try? String(contentsOf: root.appendingPathComponent(".data/postgres/port"), encoding: .utf8) {
            return
                "postgres://inlet@127.0.0.1:\(port.trimmingCharacters(in: .whitespacesAndNewlines))/inlet?sslmode=disable"
        }
        fatalError("DATABASE_URL is not set; run the tests with scripts/test")
    }()

    static var configuration: PostgresConfiguration {
        get throws { try PostgresConfiguration(url: url, applicationName: "inlet-tests") }
    }

    /// A pool for one test; shut it down at the end of the test.
    static func makePool(_ poolConfiguration: PostgresPoolConfiguration = .init(maxConnections: 4)) throws
        -> PostgresPool
    {
        PostgresPool(configuration: try configuration, poolConfiguration: poolConfiguration)
    }
}

extension PostgresPool {
    /// Runs `body` with the pool and shuts the pool down afterwards, also when `body` throws.
    func using<T: Sendable>(_ body: (PostgresPool) async throws -> T) async throws -> T {
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
