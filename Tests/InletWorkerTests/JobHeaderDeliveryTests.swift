import Foundation
import Inlet
import InletStore
import InletTestSupport
import Postgres
import Testing

/// An http job's `config.headers` through the real executables: delivered to the target, never shown by the API,
/// never logged, never stored in plain text — also when an older version had stored them in plain text.
@Suite(.serialized) struct JobHeaderDeliveryTests {
    /// Whether any column of job `id` holds `text` in plain text (JSON, text or bytes).
    static func storesInPlainText(_ text: String, job id: UUID, pool: PostgresPool) async throws -> Bool {
        let rows = try await pool.query(
            """
            SELECT strpos(config::text, $2) > 0 OR strpos(array_to_string(header_names, ','), $2) > 0
                   OR coalesce(position(convert_to($2, 'UTF8') IN sealed_headers), 0) > 0
            FROM jobs WHERE id = $1
            """, [id, text])
        return try #require(rows.first).decode(Bool.self, at: 0)
    }

    @Test func headersReachTheTargetButNoResponseLogOrRow() async throws {
        let receiver = TestReceiver()
        try await receiver.serve { hook in
            try await InletProcesses.withStack({ $0.logLevel = "debug" }) { stack, key, pool in
                let token = "Bearer e2e-\(UUID().uuidString)"
                var replies: [(String, InletProcesses.Reply)] = []
                let created = try await stack.request(
                    .POST, "/v1/jobs",
                    json: [
                        "name": "deliver", "kind": "http",
                        "config": [
                            "url": .string(hook), "headers": ["authorization": .string(token), "x-team": "billing"],
                        ],
                    ],
                    token: key)
                replies.append(("create", created))
                #expect(created.status == 201)
                let jobID = try #require(created["id"]?.stringValue)
                #expect(created["config"]?["header_names"] == ["authorization", "x-team"])
                let source = try await stack.request(.POST, "/v1/event-sources", json: ["name": "orders"], token: key)
                let sourceID = try #require(source["id"]?.stringValue)
                _ = try await stack.request(
                    .POST, "/v1/event-sources/\(sourceID)/subscribe",
                    json: ["target_type": "job", "target_id": .string(jobID)], token: key)

                // PATCHes that do not mention the headers keep them.
                replies.append(
                    (
                        "patch",
                        try await stack.request(.PATCH, "/v1/jobs/\(jobID)", json: ["max_attempts": 4], token: key)
                    ))
                replies.append(
                    (
                        "patch config",
                        try await stack.request(
                            .PATCH, "/v1/jobs/\(jobID)", json: ["config": ["timeout_ms": 5000]], token: key)
                    ))
                replies.append(("get", try await stack.request(.GET, "/v1/jobs/\(jobID)", token: key)))
                replies.append(("list", try await stack.request(.GET, "/v1/jobs", token: key)))
                #expect(
                    replies.last?.1.body?.arrayValue?.first?["config"]?["header_names"] == ["authorization", "x-team"])

                // Another project reaches neither the job nor its headers.
                let projects = try await stack.request(
                    .POST, "/v1/projects", json: ["name": "other"], token: stack.adminToken)
                let otherProject = try #require(projects["id"]?.stringValue)
                let otherKey = try #require(
                    try await stack.request(
                        .POST, "/v1/projects/\(otherProject)/api-keys", json: [:], token: stack.adminToken
                    )["token"]?.stringValue)
                #expect(try await stack.request(.GET, "/v1/jobs/\(jobID)", token: otherKey).status == 404)
                let hijack = try await stack.request(
                    .PATCH, "/v1/jobs/\(jobID)", json: ["config": ["headers": ["authorization": "Bearer mine"]]],
                    token: otherKey)
                #expect(hijack.status == 404)

                try stack.startWorker("headers")
                let dispatched = try await stack.request(
                    .POST, "/v1/events/dispatch", json: ["source": "orders", "payload": ["n": 1]], token: key)
                #expect(dispatched["dispatched"] == 1)
                try await waitUntil(timeout: .seconds(20), "the run was delivered") { receiver.requests.count == 1 }
                let delivery = try #require(receiver.requests.first)
                #expect(delivery.headers["authorization"] == token)
                #expect(delivery.headers["x-team"] == "billing")

                for (name, reply) in replies {
                    #expect(reply.status / 100 == 2, "\(name): \(reply.status)")
                    let text = reply.body.map { $0.serialized() } ?? ""
                    #expect(!text.isEmpty && !text.contains(token), "\(name) shows the header value")
                }
                #expect(
                    try await !Self.storesInPlainText(token, job: try #require(UUID(uuidString: jobID)), pool: pool))
                for log in ["server", "worker-headers"] {
                    #expect(!stack.log(log).isEmpty)
                    #expect(!stack.log(log).contains(token), "the \(log) log shows the header value")
                }
            }
        }
    }

    @Test func migrateSealsHeadersThatOlderVersionsStoredInPlainText() async throws {
        try await TestDatabase.withScratchDatabase(migrated: false) { pool, database in
            let migrations = try Migration.load(from: TestDatabase.migrationsDirectory)
            try await Migrator(migrations: migrations.filter { $0.version == 1 }).migrate(pool)
            let fixture = try await QueueFixture(pool: pool)
            let receiver = TestReceiver()
            try await receiver.serve { hook in
                // Rows as the version before migration 0002 wrote them; a custom kind's config is its own business.
                let token = "Bearer legacy-\(UUID().uuidString)"
                let job = try await fixture.createJob(
                    kind: "http",
                    config:
                        #"{"url":"\#(hook)","method":"POST","headers":{"authorization":"\#(token)"},"timeout_ms":10000}"#
                )
                let empty = try await fixture.createJob(
                    kind: "http", config: #"{"url":"\#(hook)","method":"POST","headers":{},"timeout_ms":10000}"#)
                let custom = try await fixture.createJob(kind: "custom", config: #"{"headers":{"keep":"as is"}}"#)

                let url = try WorkerExecutableTests.url(forDatabase: try #require(database.databaseName))
                let first = try AdminCommandTests.inletServer(["migrate"], databaseURL: url)
                #expect(first.status == 0, "\(first.standardError)")
                #expect(
                    first.standardOutput
                        == "migrations: applied 2, 3\njob headers: sealed the plain headers of 2 jobs\n")
                #expect(try await !Self.storesInPlainText(token, job: job.id, pool: pool))
                let rows = try await pool.query(
                    "SELECT id, config, header_names, sealed_headers FROM jobs ORDER BY id")
                var stored: [UUID: (config: JSONValue, names: [String], sealed: Data?)] = [:]
                for row in rows {
                    stored[try row.decode(UUID.self, at: 0)] = (
                        try JSONValue(parsing: try row.decode(PostgresJSON.self, at: 1).bytes),
                        try row.decode([String].self, at: 2), try row.decode(Data?.self, at: 3)
                    )
                }
                #expect(stored[job.id]?.config == ["url": .string(hook), "method": "POST", "timeout_ms": 10000])
                #expect(stored[job.id]?.names == ["authorization"])
                let sealed = try #require(stored[job.id]?.sealed)
                #expect(
                    try fixture.secretBox.openHTTPJobHeaders(sealed, jobID: job.id)
                        == HTTPJobHeaders([("authorization", token)]))
                #expect(stored[empty.id]?.names == [] && stored[empty.id]?.sealed == nil)
                #expect(stored[custom.id]?.config == ["headers": ["keep": "as is"]])

                let second = try AdminCommandTests.inletServer(["migrate"], databaseURL: url)
                #expect(second.standardOutput == "migrations: up to date\n")

                // The worker delivers the sealed headers.
                let id = try await fixture.enqueue(1, of: job, maxAttempts: 1)[0]
                try await HTTPDeliveryTests().deliver(fixture) { try await fixture.run(id).finished }
                #expect(receiver.requests.first?.headers["authorization"] == token)
            }
        }
    }
}
