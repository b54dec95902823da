import Foundation
import InletTestSupport
import Postgres
import Testing

/// Behaviour of statements waiting on the pool's reactor: many callers on few connections, cancellations,
/// connections lost mid-statement, and shutdown with statements in flight.
@Suite struct ReactorTests {
    @Test func manyConcurrentQueriesOnFewConnectionsWithCancellationsMixedIn() async throws {
        try await TestDatabase.makePool(.init(maxConnections: 3, acquireTimeout: .seconds(300))).using { pool in
            let started = ContinuousClock.now
            let outcomes = try await withThrowingTaskGroup(of: (cancelled: Bool, correct: Bool).self) { group in
                for value in 0..<300 {
                    if value % 6 == 0 {
                        group.addTask {
                            // A long statement, cancelled at some point while queued or running.
                            let task = Task { try await pool.query("SELECT pg_sleep(20)") }
                            try await Task.sleep(for: .milliseconds(Int.random(in: 0...40)))
                            task.cancel()
                            switch await task.result {
                            case .success: return (true, false)
                            case .failure(let error as PostgresError): return (true, error.code == .queryCancelled)
                            case .failure(let error): return (true, error is CancellationError)
                            }
                        }
                    } else {
                        group.addTask {
                            // A cancellation of a neighbour must never fail these.
                            let rows = try await pool.query("SELECT $1::int8 * 2", [Int64(value)])
                            return (false, try rows[0].decode(Int64.self, at: 0) == Int64(value) * 2)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.count == 300)
            #expect(outcomes.allSatisfy { $0.correct })
            #expect(outcomes.filter { $0.cancelled }.count == 50)
            // 50 sleeps of 20 s on 3 connections would take over five minutes unless each really was cancelled.
            #expect(started.duration(to: .now) < .seconds(240))
            #expect(pool.statistics.inUse == 0)
            #expect(try await pool.query("SELECT 7")[0].decode(Int32.self, at: 0) == 7)
        }
    }

    @Test func queryInFlightWhenItsBackendIsTerminatedFailsPromptly() async throws {
        try await TestDatabase.makePool(.init(maxConnections: 1)).using { pool in
            let marker = "terminate_\(UUID().uuidString.prefix(8))"
            let sql = "SELECT pg_sleep(600), '\(marker)'"
            let task = Task { try await pool.query(sql) }
            let admin = try TestDatabase.makePool(.init(maxConnections: 1))
            try await admin.using { admin in
                let pid = try await waitForActivity(sql, on: admin)
                try await admin.query("SELECT pg_terminate_backend($1)", [pid])
            }
            let terminated = ContinuousClock.now
            let result = await task.result
            // Promptly: long before the statement's 10-minute sleep would have ended.
            #expect(terminated.duration(to: .now) < .seconds(300))
            guard case .failure(let error) = result else {
                Issue.record("the statement succeeded although its backend was terminated")
                return
            }
            #expect((error as? PostgresError)?.code == .connectionFailure)
            // The broken connection was discarded; the pool serves again on a new one.
            #expect(try await pool.query("SELECT 3")[0].decode(Int32.self, at: 0) == 3)
            #expect(pool.statistics.total == 1)
        }
    }

    @Test func shutdownFailsStatementsStillInFlightAfterTheGracePeriod() async throws {
        let pool = try TestDatabase.makePool(.init(maxConnections: 2))
        let marker = "shutdown_\(UUID().uuidString.prefix(8))"
        let sql = "SELECT pg_sleep(600), '\(marker)'"
        let tasks = (0..<2).map { _ in Task { try await pool.query(sql) } }
        try await TestDatabase.makePool(.init(maxConnections: 1)).using { observer in
            _ = try await waitForActivity(sql, on: observer, count: 2)
            let started = ContinuousClock.now
            await pool.shutdown(gracePeriod: .milliseconds(300))
            // After the grace period, long before the statements' 10-minute sleeps would have ended.
            #expect(started.duration(to: .now) < .seconds(300))
            for task in tasks {
                let error = await #expect(throws: PostgresError.self) { try await task.value }
                #expect(error?.code == .poolClosed)
            }
            // The abandoned statements are cancelled and their connections closed, so the server sessions end too.
            var remaining: Int64 = -1
            let limit = ContinuousClock.now.advanced(by: .seconds(120))
            while ContinuousClock.now < limit {
                remaining = try await observer.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE query = $1", [sql]
                )[0].decode(Int64.self, at: 0)
                if remaining == 0 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(remaining == 0)
        }
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error?.code == .poolClosed)
    }

    @Test func largeParametersAndResultsCrossManySocketReadsAndWrites() async throws {
        try await TestDatabase.makePool(.init(maxConnections: 2)).using { pool in
            // Larger than the socket buffers, so sending waits for the socket to drain and results arrive in parts.
            let payload = Data((0..<8_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            let echoed = try await pool.query("SELECT $1::bytea, length($1::bytea)", [payload])
            #expect(try echoed[0].decode(Data.self, at: 0) == payload)
            #expect(try echoed[0].decode(Int32.self, at: 1) == 8_000_000)
            let rows = try await pool.query("SELECT g, repeat('x', 100) FROM generate_series(1, 100000) AS g")
            #expect(rows.count == 100_000)
            #expect(try rows[99_999].decode(Int32.self, at: 0) == 100_000)
        }
    }

    @Test func aStatementCancelledBeforeItIsSentIsNeverSent() async throws {
        try await TestDatabase.makePool(.init(maxConnections: 1)).using { pool in
            try await pool.withConnection { connection in
                try await connection.execute(script: "CREATE TEMP TABLE sent (value int)")
                let task = Task {
                    while !Task.isCancelled { await Task.yield() }
                    try await connection.query("INSERT INTO sent VALUES (1)")
                }
                task.cancel()
                let error = await #expect(throws: PostgresError.self) { try await task.value }
                #expect(error?.code == .queryCancelled)
                #expect(try await connection.query("SELECT count(*) FROM sent")[0].decode(Int64.self, at: 0) == 0)
            }
        }
    }

    @Test func aScriptThrowsItsFirstErrorAndLeavesTheConnectionReady() async throws {
        try await TestDatabase.makePool(.init(maxConnections: 1)).using { pool in
            try await pool.withConnection { connection in
                let error = await #expect(throws: PostgresError.self) {
                    try await connection.execute(
                        script: "CREATE TEMP TABLE script (value int); SELECT 1 / 0; INSERT INTO script VALUES (1)")
                }
                #expect(error?.code == .invalidInput)
                // The script ran as one implicit transaction: nothing of it remains, and the connection is idle.
                let leftover = try await connection.query("SELECT count(*) FROM pg_tables WHERE tablename = 'script'")
                #expect(try leftover[0].decode(Int64.self, at: 0) == 0)
                #expect(connection.isUsable)
            }
        }
    }

    /// Waits until `count` sessions run `sql` on the server; returns the pid of one of them.
    private func waitForActivity(_ sql: String, on observer: PostgresPool, count: Int64 = 1) async throws -> Int32 {
        let limit = ContinuousClock.now.advanced(by: .seconds(120))
        while ContinuousClock.now < limit {
            let rows = try await observer.query(
                "SELECT count(*), min(pid) FROM pg_stat_activity WHERE query = $1 AND state = 'active'", [sql])
            if try rows[0].decode(Int64.self, at: 0) >= count { return try rows[0].decode(Int32.self, at: 1) }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw PostgresError(code: .other, message: "\(sql) never became active")
    }
}
