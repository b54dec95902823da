import Foundation
import InletTestSupport
import Postgres
import Testing

@Suite struct ErrorAndTransactionTests {
    @Test func sqlStatesAreMappedOnce() async throws {
        try await TestDatabase.makePool(.init(maxConnections: 1)).using { pool in
            try await pool.withConnection { connection in
                try await connection.execute(
                    script: """
                        CREATE TEMP TABLE parent (id int PRIMARY KEY);
                        CREATE TEMP TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id),
                          amount int CHECK (amount > 0), name text NOT NULL DEFAULT 'x');
                        INSERT INTO parent VALUES (1);
                        INSERT INTO child VALUES (1, 1, 1);
                        """)
                func code(_ sql: String, _ bindings: [any PostgresEncodable] = []) async -> PostgresError? {
                    do {
                        try await connection.query(sql, bindings)
                        return nil
                    } catch let error as PostgresError {
                        return error
                    } catch {
                        return nil
                    }
                }
                let unique = await code("INSERT INTO child (id, parent_id, amount) VALUES (1, 1, 1)")
                #expect(unique?.code == .uniqueViolation)
                #expect(unique?.sqlState == "23505")
                #expect(unique?.constraint == "child_pkey")
                #expect(await code("INSERT INTO child VALUES (2, 99, 1)")?.code == .foreignKeyViolation)
                #expect(await code("INSERT INTO child VALUES (3, 1, -1)")?.code == .checkViolation)
                #expect(await code("INSERT INTO child VALUES (4, 1, 1, NULL)")?.code == .notNullViolation)
                #expect(await code("SELECT 1 / $1::int4", [Int32(0)])?.code == .invalidInput)
                #expect(await code("SELECT $1::int4", ["not a number"])?.code == .invalidInput)
                #expect(await code("SELEC 1")?.code == .other)
                // The connection stays usable after errors.
                #expect(try await connection.query("SELECT count(*) FROM child")[0].decode(Int64.self, at: 0) == 1)
            }
        }
    }

    @Test func transactionsCommitOrRollBackOnThrow() async throws {
        struct Boom: Error {}
        try await TestDatabase.makePool(.init(maxConnections: 1)).using { pool in
            try await pool.withConnection { connection in
                try await connection.execute(script: "CREATE TEMP TABLE ledger (value int)")
                try await connection.withTransaction { try await $0.query("INSERT INTO ledger VALUES (1)") }
                await #expect(throws: Boom.self) {
                    try await connection.withTransaction(isolation: .serializable) { transaction in
                        try await transaction.query("INSERT INTO ledger VALUES (2)")
                        throw Boom()
                    }
                }
                let values = try await connection.query("SELECT value FROM ledger ORDER BY value")
                #expect(try values.map { try $0.decode(Int32.self, at: 0) } == [1])
            }
        }
    }

    @Test func invalidURLIsAConfigurationError() {
        let error = #expect(throws: PostgresError.self) {
            try PostgresConfiguration(url: "postgres://host:notaport:/x?bogus=1")
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(throws: Never.self) { try PostgresConfiguration(url: "postgres:///inlet?host=/var/run/postgresql") }
    }

    @Test func unreachableServerFailsFastWithConnectionFailure() async throws {
        let configuration = try PostgresConfiguration(
            url: "postgres://nobody@127.0.0.1:1/none", connectTimeoutSeconds: 2)
        try await PostgresPool(configuration: configuration, poolConfiguration: .init(maxConnections: 2)).using {
            pool in
            // Fast: the connection's own error, not `.poolExhausted` after retrying for the acquire timeout. (No clock:
            // on a loaded machine the test's task can wait longer for a thread than any bound worth asserting.)
            let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
            #expect(error?.code == .connectionFailure)
            #expect(pool.statistics.total == 0)
        }
    }

    @Test func passwordsAreRedactedInDescriptions() throws {
        let configuration = try PostgresConfiguration(url: "postgres://user:secret@db:5432/app")
        #expect(configuration.description == "postgres://user:***@db:5432/app")
    }
}
