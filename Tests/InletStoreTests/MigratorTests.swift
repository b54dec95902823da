import Foundation
import InletTestSupport
import Postgres
import Testing

@testable import InletStore

@Suite struct MigratorTests {
    @Test func concurrentMigratorsApplyEachMigrationExactlyOnce() async throws {
        try await TestDatabase.withScratchDatabase(migrated: false) { pool, _ in
            let migrator = Migrator(migrations: try Migration.load(from: TestDatabase.migrationsDirectory))
            #expect(try await migrator.pending(pool) == migrator.migrations.map(\.version))
            async let first = migrator.migrate(pool)
            async let second = migrator.migrate(pool)
            let applied = try await [first, second]
            #expect(applied.flatMap { $0 }.sorted() == migrator.migrations.map(\.version))
            #expect(try await migrator.pending(pool).isEmpty)
            let count = try await pool.query("SELECT count(*) FROM schema_migrations")[0].decode(Int64.self, at: 0)
            #expect(count == Int64(migrator.migrations.count))
            // A third run is a no-op.
            #expect(try await migrator.migrate(pool).isEmpty)
        }
    }

    @Test func anEditedAppliedMigrationIsAnError() async throws {
        try await TestDatabase.withScratchDatabase(migrated: false) { pool, _ in
            let original = Migration(version: 1, name: "things", sql: "CREATE TABLE things (id int)")
            try await Migrator(migrations: [original]).migrate(pool)
            let edited = Migration(version: 1, name: "things", sql: "CREATE TABLE things (id bigint)")
            let error = await #expect(throws: MigrationError.self) {
                try await Migrator(migrations: [edited]).migrate(pool)
            }
            #expect(error?.message.contains("edited") == true)
        }
    }

    @Test func aFailingMigrationRollsBackAndIsNotRecorded() async throws {
        try await TestDatabase.withScratchDatabase(migrated: false) { pool, _ in
            let good = Migration(version: 1, name: "good", sql: "CREATE TABLE good (id int)")
            let bad = Migration(version: 2, name: "bad", sql: "CREATE TABLE half (id int); SELECT 1/0")
            await #expect(throws: PostgresError.self) { try await Migrator(migrations: [good, bad]).migrate(pool) }
            let tables = try await pool.query("SELECT to_regclass('good') IS NOT NULL, to_regclass('half') IS NULL")
            #expect(try tables[0].decode(Bool.self, at: 0) && tables[0].decode(Bool.self, at: 1))
            #expect(try await Migrator(migrations: [good, bad]).pending(pool) == [2])
        }
    }

    @Test func migrationFilesAreNumberedAndLoadInOrder() throws {
        let migrations = try Migration.load(from: TestDatabase.migrationsDirectory)
        #expect(migrations.first?.version == 1)
        #expect(migrations.map(\.version) == migrations.map(\.version).sorted())
    }
}
