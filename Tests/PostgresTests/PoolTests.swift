import Foundation
import InletTestSupport
import Postgres
import Synchronization
import Testing

@Suite struct PoolTests {
    @Test func fiveHundredTasksThroughFourConnections() async throws {
        try await TestDatabase.makePool(.init(maxConnections: 4, acquireTimeout: .seconds(300))).using { pool in
            let sum = try await withThrowingTaskGroup(of: Int64.self) { group in
                for value in 1...500 {
                    group.addTask {
                        try await pool.query("SELECT $1::int8", [Int64(value)])[0].decode(Int64.self, at: 0)
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(sum == 500 * 501 / 2)
            let statistics = pool.statistics
            #expect(statistics.total <= 4)
            #expect(statistics.inUse == 0)
            #expect(statistics.waiting == 0)
        }
    }

    @Test func exhaustionTimesOutWithThePoolsOwnError() async throws {
        try await TestDatabase.makePool(.init(maxConnections: 2, acquireTimeout: .milliseconds(300))).using { pool in
            let released = Flag()
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Both connections are held until the test lets go, or for five minutes: a pool that does not time
                // out then serves the third caller late, and the test fails rather than hangs.
                for _ in 0..<2 {
                    group.addTask {
                        try await pool.withConnection { _ in
                            let limit = ContinuousClock.now.advanced(by: .seconds(300))
                            while !released.isSet, ContinuousClock.now < limit {
                                try await Task.sleep(for: .milliseconds(10))
                            }
                        }
                    }
                }
                let inUse = ContinuousClock.now.advanced(by: .seconds(120))
                while pool.statistics.inUse < 2, ContinuousClock.now < inUse {
                    try await Task.sleep(for: .milliseconds(10))
                }
                try #require(pool.statistics.inUse == 2)
                let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
                #expect(error?.code == .poolExhausted)
                released.set()
                try await group.waitForAll()
            }
            // Once load drops the pool serves again.
            #expect(try await pool.query("SELECT 1")[0].decode(Int32.self, at: 0) == 1)
        }
    }

    @Test func terminatedBackendIsReplacedTransparently() async throws {
        try await TestDatabase.makePool(.init(maxConnections: 1)).using { victimPool in
            let pid = try await victimPool.query("SELECT pg_backend_pid()")[0].decode(Int32.self, at: 0)
            try await TestDatabase.makePool(.init(maxConnections: 1)).using { admin in
                try await admin.query("SELECT pg_terminate_backend($1)", [pid])
                // Wait until the server has really ended the backend.
                for _ in 0..<500 {
                    let alive = try await admin.query("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", [pid])
                    if try alive[0].decode(Int64.self, at: 0) == 0 { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            let newPID = try await victimPool.query("SELECT pg_backend_pid()")[0].decode(Int32.self, at: 0)
            #expect(newPID != pid)
        }
    }

    @Test func cancellingATaskCancelsItsQuery() async throws {
        try await TestDatabase.makePool(.init(maxConnections: 1)).using { pool in
            // Far longer than the test may take: a query that was not cancelled cannot end in time.
            let task = Task { try await pool.query("SELECT pg_sleep(600)") }
            // Cancel once the statement is really running on the server.
            try await TestDatabase.makePool(.init(maxConnections: 1)).using { observer in
                let limit = ContinuousClock.now.advanced(by: .seconds(120))
                while ContinuousClock.now < limit {
                    let running = try await observer.query(
                        "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(600)' AND state = 'active'"
                    )
                    if try running[0].decode(Int64.self, at: 0) > 0 { break }
                    try await Task.sleep(for: .milliseconds(10))
                }
            }
            let cancelled = ContinuousClock.now
            task.cancel()
            let result = await task.result
            #expect(cancelled.duration(to: .now) < .seconds(300))
            guard case .failure(let error) = result else {
                Issue.record("the query was not cancelled")
                return
            }
            #expect((error as? PostgresError)?.code == .queryCancelled)
            // The connection is reusable afterwards.
            #expect(try await pool.query("SELECT 2")[0].decode(Int32.self, at: 0) == 2)
        }
    }

    @Test func shutdownFailsNewCallers() async throws {
        let pool = try TestDatabase.makePool()
        _ = try await pool.query("SELECT 1")
        await pool.shutdown()
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error?.code == .poolClosed)
    }
}

/// A flag one task sets and others poll.
private final class Flag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}
