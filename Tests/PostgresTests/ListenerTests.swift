import Foundation
import InletTestSupport
import Postgres
import Testing

@Suite struct ListenerTests {
    @Test func receivesNotificationsAndKeepsReceivingAfterItsConnectionIsTerminated() async throws {
        let channel = "test_\(UUID().uuidString.prefix(8).lowercased())"
        let listener = PostgresListener(configuration: try TestDatabase.configuration, channels: [channel])
        let notifications = listener.notifications()
        try await TestDatabase.makePool().using { pool in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await listener.run() }
                var iterator = notifications.makeAsyncIterator()

                try await waitUntil { listener.connectionCount == 1 }
                try await pool.query("SELECT pg_notify($1, $2)", [channel, "first"])
                #expect(await iterator.next() == PostgresNotification(channel: channel, payload: "first"))

                try await pool.query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1", ["LISTEN \"\(channel)\""]
                )
                try await waitUntil { listener.connectionCount == 2 }
                #expect(
                    await iterator.next() == PostgresNotification(channel: channel, payload: "", afterReconnect: true))
                try await pool.query("SELECT pg_notify($1, $2)", [channel, "second"])
                #expect(await iterator.next() == PostgresNotification(channel: channel, payload: "second"))

                listener.stop()
                try await group.waitForAll()
            }
        }
    }

    private func waitUntil(_ condition: () -> Bool) async throws {
        let limit = ContinuousClock.now.advanced(by: .seconds(120))
        while !condition(), ContinuousClock.now < limit { try await Task.sleep(for: .milliseconds(20)) }
        try #require(condition())
    }
}
