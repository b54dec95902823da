import Foundation
import Inlet
import InletTestSupport
import Postgres
import Testing

/// The real `inlet-worker` executable, as deployed: configured by environment, stopped by SIGTERM.
@Suite struct WorkerExecutableTests {
    /// The executable built beside the test bundle (`swift build --build-tests` builds both).
    static func executable() throws -> URL {
        var directories: [URL] = []
        if let bundle = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            directories.append(bundle.deletingLastPathComponent())
        }
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        directories.append(TestDatabase.repositoryRoot.appendingPathComponent(".build/debug"))
        for directory in directories {
            let candidate = directory.appendingPathComponent("inlet-worker")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw FixtureError(message: "inlet-worker not found in \(directories.map(\.path)); run swift build first")
    }

    /// `TestDatabase.url` pointing at database `name`.
    static func url(forDatabase name: String) throws -> String {
        var components = try #require(URLComponents(string: TestDatabase.url))
        components.path = "/" + name
        return try #require(components.string)
    }

    @Test func drainsRunsAndExitsCleanlyOnSIGTERM() async throws {
        try await TestDatabase.withScratchDatabase { pool, database in
            let fixture = try await QueueFixture(pool: pool)
            let ids = try await fixture.enqueue(20, of: try await fixture.createJob())

            let process = Process()
            process.executableURL = try Self.executable()
            process.environment = [
                "DATABASE_URL": try Self.url(forDatabase: try #require(database.databaseName)),
                "INLET_SECRET_KEY": QueueFixture.secretKey.unredactedBase64,
                "INLET_WORKER_ID": "e2e-worker",
                "INLET_WORKER_POLL_INTERVAL_MS": "100",
                "INLET_LOG_LEVEL": "warning",
                "INLET_WORKER_METRICS_PORT": "0",
            ]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            defer { if process.isRunning { process.terminate() } }

            try await waitUntil { try await fixture.statusCounts() == ["succeeded": 20] }
            let workers = try await pool.query("SELECT DISTINCT worker FROM run_attempts WHERE run_id = ANY($1)", [ids])
            #expect(try workers.map { try $0.decode(String.self, at: 0) } == ["e2e-worker"])

            kill(process.processIdentifier, SIGTERM)
            try await waitUntil { !process.isRunning }
            #expect(process.terminationReason == .exit)
            #expect(process.terminationStatus == 0)
            if process.terminationStatus != 0 {
                let output = String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
                Issue.record("worker output: \(output)")
            }
        }
    }

    @Test func aBadConfigurationExitsWithAOneLineMessage() async throws {
        let process = Process()
        process.executableURL = try Self.executable()
        process.environment = [
            "DATABASE_URL": TestDatabase.url, "INLET_SECRET_KEY": SecretKey.generate().unredactedBase64,
            "INLET_WORKER_CONCURRENCY": "many",
        ]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(output.split(separator: "\n").count == 1)
        #expect(output.contains("INLET_WORKER_CONCURRENCY"), "\(output)")
    }
}

#if canImport(Glibc)
    import Glibc
#endif
