import Foundation
import Inlet
import InletTestSupport
import Postgres
import Testing

/// `inlet-server admin …` through the real executable, on a scratch database.
@Suite struct AdminCommandTests {
    struct Output {
        let status: Int32
        let standardOutput: String
        let standardError: String
    }

    /// Runs `inlet-server` with `arguments` against `databaseURL`.
    static func inletServer(_ arguments: [String], databaseURL: String) throws -> Output {
        let process = Process()
        process.executableURL = try InletProcesses.executable("inlet-server")
        process.arguments = arguments
        process.environment = [
            "DATABASE_URL": databaseURL, "INLET_SECRET_KEY": QueueFixture.secretKey.unredactedBase64,
            "INLET_MIGRATIONS_DIR": TestDatabase.migrationsDirectory.path, "INLET_LOG_LEVEL": "warning",
        ]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let complaints = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, standardOutput: String(decoding: printed, as: UTF8.self),
            standardError: String(decoding: complaints, as: UTF8.self))
    }

    @Test func statsAndRequeueDead() async throws {
        try await TestDatabase.withScratchDatabase { pool, database in
            let url = try WorkerExecutableTests.url(forDatabase: try #require(database.databaseName))
            #expect(try Self.inletServer(["admin", "stats"], databaseURL: url).standardOutput == "no runs\n")

            let fixture = try await QueueFixture(pool: pool)
            let job = try await fixture.createJob(maxAttempts: 3)
            let other = try await fixture.createJob()
            let dead = try await fixture.enqueue(2, of: job, maxAttempts: 3)
            try await fixture.enqueue(3, of: job)
            let otherDead = try await fixture.enqueue(1, of: other)
            try await pool.query(
                """
                UPDATE job_runs SET status = 'dead', attempt = max_attempts, finished_at = now(), last_error = 'boom'
                WHERE id = ANY($1)
                """, [dead + otherDead])

            let stats = try Self.inletServer(["admin", "stats"], databaseURL: url)
            #expect(stats.status == 0, "\(stats.standardError)")
            let lines = stats.standardOutput.split(separator: "\n")
            #expect(lines.first?.split(separator: " ", omittingEmptySubsequences: true).first == "PROJECT")
            let row = try #require(lines.first { $0.hasPrefix(fixture.projectID.lowercasedString) })
            // project, name, queued, running, succeeded, dead, cancelled, oldest queued age (≥ 1 s, the fixture's)
            let cells = row.split(separator: " ", omittingEmptySubsequences: true)
            #expect(cells.count == 8)
            #expect(Array(cells.dropFirst().prefix(6)) == ["test", "3", "0", "0", "3", "0"])
            #expect(cells.last?.hasSuffix("s") == true)

            let requeue = try Self.inletServer(
                [
                    "admin", "requeue-dead", "--project", fixture.projectID.lowercasedString, "--job",
                    job.id.lowercasedString,
                ], databaseURL: url)
            #expect(requeue.status == 0, "\(requeue.standardError)")
            #expect(requeue.standardOutput == "requeued 2 dead runs\n")
            for id in dead {
                let run = try await fixture.run(id)
                #expect(run.status == "queued")
                #expect(!run.finished && !run.runAtInFuture)
            }
            let allowed = try await pool.query("SELECT max_attempts FROM job_runs WHERE id = ANY($1)", [dead])
            #expect(try allowed.map { try $0.decode(Int.self, at: 0) } == [4, 4])  // one more attempt each
            #expect(try await fixture.run(otherDead[0]).status == "dead")  // another job's run stays dead

            let again = try Self.inletServer(
                [
                    "admin", "requeue-dead", "--project", fixture.projectID.lowercasedString, "--job",
                    job.id.lowercasedString,
                ], databaseURL: url)
            #expect(again.standardOutput == "requeued 0 dead runs\n")
            // A job of another project is not found, exactly like a missing one.
            let elsewhere = try Self.inletServer(
                ["admin", "requeue-dead", "--project", UUID().uuidString, "--job", other.id.lowercasedString],
                databaseURL: url)
            #expect(elsewhere.status != 0)
            #expect(elsewhere.standardError.contains("has no job"), "\(elsewhere.standardError)")
            #expect(try await fixture.run(otherDead[0]).status == "dead")
        }
    }

    @Test func listKeysShowsPrefixesNeverTokens() async throws {
        try await TestDatabase.withScratchDatabase { _, database in
            let url = try WorkerExecutableTests.url(forDatabase: try #require(database.databaseName))
            let created = try Self.inletServer(["admin", "create-project", "--name", "keys"], databaseURL: url)
            #expect(created.status == 0, "\(created.standardError)")
            var values: [String: String] = [:]
            for line in created.standardOutput.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
            }
            let projectID = try #require(values["project_id"])
            let token = try #require(values["api_key"])
            let second = try Self.inletServer(
                ["admin", "create-key", "--project", projectID, "--name", "ci"], databaseURL: url)
            let secondToken = try #require(
                second.standardOutput.split(separator: "\n").first { $0.hasPrefix("api_key=") }
            )
            .dropFirst("api_key=".count)

            let listed = try Self.inletServer(["admin", "list-keys", "--project", projectID], databaseURL: url)
            #expect(listed.status == 0, "\(listed.standardError)")
            let lines = listed.standardOutput.split(separator: "\n")
            #expect(lines.count == 3)
            #expect(lines.contains { $0.contains(String(token.prefix(12)) + "…") && $0.contains("never") })
            #expect(lines.contains { $0.contains(" ci ") })
            #expect(!listed.standardOutput.contains(token))
            #expect(!listed.standardOutput.contains(String(secondToken)))

            let missing = try Self.inletServer(
                ["admin", "list-keys", "--project", UUID().uuidString], databaseURL: url)
            #expect(missing.status != 0)
        }
    }
}
