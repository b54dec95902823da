import Foundation
import Inlet
import InletTestSupport
import Postgres
import Testing

/// What an operator sees of the real processes: both `/metrics`, request ids from the dispatch to the run's log
/// line, and the worker's health port.
@Suite(.serialized) struct OperabilityEndToEndTests {
    @Test func metricsAndTheRequestIDTraceADispatchToItsRun() async throws {
        let receiver = TestReceiver()
        try await receiver.serve { hook in
            try await InletProcesses.withStack({ $0.logLevel = "info" }) { stack, key, pool in
                let source = try await stack.request(.POST, "/v1/event-sources", json: ["name": "orders"], token: key)
                let projectID = try #require(source["project_id"]?.stringValue)
                let anonymous = await stack.serverGet("/metrics")
                #expect(anonymous.status == 401)
                #expect(!anonymous.text.contains(projectID))
                let job = try await stack.request(
                    .POST, "/v1/jobs", json: ["name": "deliver", "kind": "http", "config": ["url": .string(hook)]],
                    token: key)
                _ = try await stack.request(
                    .POST, "/v1/event-sources/\(try #require(source["id"]?.stringValue))/subscribe",
                    json: ["target_type": "job", "target_id": try #require(job["id"])], token: key)
                try stack.startWorker("ops")
                let requestID = "trace-\(UUID().uuidString.lowercased())"
                let dispatched = try await stack.request(
                    .POST, "/v1/events/dispatch", json: ["source": "orders", "payload": ["n": 1]], token: key,
                    headers: ["X-Request-Id": requestID])
                #expect(dispatched.status == 202)
                try await waitUntil { receiver.requests.count == 1 }

                // The server counts the dispatch, the worker the run.
                let server = await stack.serverGet("/metrics", token: stack.adminToken)
                #expect(
                    server.text.contains(#"inlet_dispatch_events_total{outcome="accepted",via="api"} 1"#),
                    "\(server.text)")
                try await waitUntil("the worker counted the success") {
                    await stack.workerGet("ops", "/metrics").text.contains(
                        #"inlet_worker_runs_succeeded_total{kind="http"} 1"#)
                }
                let worker = await stack.workerGet("ops", "/metrics").text
                #expect(worker.contains(#"inlet_worker_runs_claimed_total{kind="http"} 1"#), "\(worker)")
                #expect(worker.contains(#"inlet_worker_attempt_duration_seconds_count{kind="http"} 1"#))
                #expect(worker.contains("inlet_worker_runs_executing 0"))
                #expect(worker.contains("inlet_db_pool_connections"))
                #expect(!worker.contains(try #require(job["id"]?.stringValue)))

                // The request id is in the server's request line and the worker's line for the run.
                let serverLines = stack.log("server").split(separator: "\n").filter { $0.contains(requestID) }
                #expect(serverLines.contains { $0.contains("/v1/events/dispatch") && $0.contains("202") })
                try await waitUntil("the worker logged the run with its request id") {
                    stack.log("worker-ops").split(separator: "\n").contains {
                        $0.contains("request_id=\(requestID)") && $0.contains("attempt succeeded")
                    }
                }
            }
        }
    }

    /// Every request gets one log line, those ended by an error too, with numbers as JSON numbers.
    @Test func everyRequestIsLoggedOnceWithItsStatusAndErrorCode() async throws {
        try await InletProcesses.withStack({
            $0.logLevel = "info"
            $0.extraEnvironment = ["INLET_LOG_FORMAT": "json"]
        }) { stack, key, _ in
            let marker = "log-\(UUID().uuidString.lowercased())"
            let created = try await stack.request(
                .POST, "/v1/event-sources", json: ["name": "logged"], token: key,
                headers: ["X-Request-Id": marker + "-ok"])
            #expect(created.status == 201)
            let missing = try await stack.request(
                .POST, "/v1/events/dispatch", json: ["source": "nowhere", "payload": [:]], token: key,
                headers: ["X-Request-Id": marker + "-missing"])
            #expect(missing.status == 404)
            let refused = try await stack.request(
                .GET, "/v1/event-sources", token: "inlet_wrong", headers: ["X-Request-Id": marker + "-refused"])
            #expect(refused.status == 401)
            let invalid = try await stack.request(
                .POST, "/v1/event-sources", json: ["name": ""], token: key,
                headers: ["X-Request-Id": marker + "-invalid"])
            #expect(invalid.status == 422)
            var lines: [String: [String: Any]] = [:]
            try await waitUntil("the four requests were logged") {
                lines = [:]
                for line in stack.log("server").split(separator: "\n") {
                    guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                        object["message"] as? String == "request",
                        let requestID = object["request_id"] as? String, requestID.hasPrefix(marker)
                    else { continue }
                    #expect(lines[requestID] == nil, "logged twice: \(line)")
                    lines[requestID] = object
                }
                return lines.count == 4
            }
            for (suffix, status, code) in [
                ("-ok", 201, nil), ("-missing", 404, "not_found"), ("-refused", 401, "unauthorized"),
                ("-invalid", 422, "validation_failed"),
            ] as [(String, Int, String?)] {
                let line = try #require(lines[marker + suffix])
                #expect(line["status"] as? Int == status, "\(line)")
                #expect(line["duration_ms"] is Double || line["duration_ms"] is Int, "\(line)")
                #expect(line["error_code"] as? String == code, "\(line)")
            }
        }
    }

    /// The container image's health checks: `inlet-server healthcheck` and `inlet-worker healthcheck` exit 0 while
    /// their process answers /healthz, 1 when nothing does.
    @Test func healthcheckSubcommandsAskTheirOwnProcess() async throws {
        try await InletProcesses.withStack { stack, _, _ in
            try stack.startWorker("checked")
            let workerPort = try #require(stack.workerMetricsPorts["checked"])
            try await waitUntil("the worker answers") { await stack.workerGet("checked", "/healthz").status == 200 }
            func exitStatus(_ executable: String, _ environment: [String: String]) throws -> Int32 {
                let process = Process()
                process.executableURL = try InletProcesses.executable(executable)
                process.arguments = ["healthcheck"]
                process.environment = environment
                process.standardError = FileHandle.nullDevice
                try process.run()
                process.waitUntilExit()
                return process.terminationStatus
            }
            let closed = try InletProcesses.freePort()
            #expect(try exitStatus("inlet-server", ["INLET_PORT": String(stack.serverPorts[0])]) == 0)
            #expect(try exitStatus("inlet-server", ["INLET_PORT": String(closed)]) == 1)
            #expect(try exitStatus("inlet-worker", ["INLET_WORKER_METRICS_PORT": String(workerPort)]) == 0)
            #expect(try exitStatus("inlet-worker", ["INLET_WORKER_METRICS_PORT": String(closed)]) == 1)
            // A worker that serves no health port (port 0) has nothing to ask: the check fails.
            #expect(try exitStatus("inlet-worker", ["INLET_WORKER_METRICS_PORT": "0"]) == 1)
        }
    }

    @Test func readinessOfBothProcessesFollowsTheDatabaseWhileHealthStaysUp() async throws {
        try await TestDatabase.withScratchDatabase { _, database in
            let name = try #require(database.databaseName)
            let stack = InletProcesses(databaseURL: try WorkerExecutableTests.url(forDatabase: name))
            defer { stack.stopAll() }
            try await stack.startServer()
            try stack.startWorker("ready", ["INLET_DATABASE_POOL_SIZE": "2"])
            try await waitUntil("the worker became ready") {
                await stack.workerGet("ready", "/readyz").status == 200
            }
            #expect(await stack.workerGet("ready", "/healthz").status == 200)

            let admin = try TestDatabase.makePool(.init(maxConnections: 1))
            try await admin.using { admin in
                try await admin.query("ALTER DATABASE \(name) WITH ALLOW_CONNECTIONS false")
                try await admin.query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [name])
                try await waitUntil("readiness failed without the database") {
                    await stack.workerGet("ready", "/readyz").status == 503
                }
                let unready = await stack.workerGet("ready", "/readyz")
                #expect(unready.text.contains("the database is unreachable"))
                // The server too: not ready, API calls answer 503 quickly, and it stays alive.
                try await waitUntil("server readiness failed without the database") {
                    (try? await stack.request(.GET, "/readyz", token: nil).status) == 503
                }
                // Quickly: the request's own 10 s timeout (kept by the HTTP client's event loop, not by this test's
                // task, which a loaded machine can hold up) would fail it otherwise.
                let api = try await stack.request(.GET, "/v1/projects", token: stack.adminToken)
                #expect(api.status == 503)
                #expect(try await stack.request(.GET, "/healthz", token: nil).status == 200)
                #expect(await stack.workerGet("ready", "/healthz").status == 200)
                #expect(await stack.workerGet("ready", "/metrics").status == 200)

                try await admin.query("ALTER DATABASE \(name) WITH ALLOW_CONNECTIONS true")
                try await waitUntil("readiness returned with the database") {
                    await stack.workerGet("ready", "/readyz").status == 200
                }
                try await waitUntil("the server serves again without a restart") {
                    let ready = try? await stack.request(.GET, "/readyz", token: nil).status
                    let serving = try? await stack.request(.GET, "/v1/projects", token: stack.adminToken).status
                    return ready == 200 && serving == 200
                }
            }
        }
    }

    @Test func workerIsNotReadyBeforeMigrations() async throws {
        try await TestDatabase.withScratchDatabase(migrated: false) { _, database in
            let stack = InletProcesses(
                databaseURL: try WorkerExecutableTests.url(forDatabase: try #require(database.databaseName)))
            defer { stack.stopAll() }
            try stack.startWorker("early")
            try await waitUntil("the health port answered") {
                await stack.workerGet("early", "/healthz").status == 200
            }
            let ready = await stack.workerGet("early", "/readyz")
            #expect(ready.status == 503)
            #expect(ready.text.contains("migrations pending"), "\(ready.text)")
        }
    }

    @Test func aTakenMetricsPortStopsTheWorkerNamingTheVariable() async throws {
        let port = try InletProcesses.freePort()
        let blocker = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(blocker) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(blocker, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        try #require(bound && listen(blocker, 1) == 0)
        // A scratch database: the worker's services start together, so it may claim runs before the taken port
        // stops it; on the shared database those would be other tests' runs.
        try await TestDatabase.withScratchDatabase { pool, database in
            let fixture = try await QueueFixture(pool: pool)
            try await fixture.enqueue(300, of: try await fixture.createJob())
            let process = Process()
            process.executableURL = try WorkerExecutableTests.executable()
            process.environment = [
                "DATABASE_URL": try WorkerExecutableTests.url(forDatabase: try #require(database.databaseName)),
                "INLET_SECRET_KEY": SecretKey.generate().unredactedBase64,
                "INLET_WORKER_METRICS_PORT": String(port), "INLET_LOG_LEVEL": "error",
                "INLET_MIGRATIONS_DIR": TestDatabase.migrationsDirectory.path,
            ]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 78)
            #expect(output.contains("INLET_WORKER_METRICS_PORT"), "\(output)")
            // Whatever it claimed in the meantime it completed or handed back: no run is left leased to a worker
            // that is gone (it would wait for its lease to expire and lose an attempt).
            let statuses = try await fixture.statusCounts()
            #expect(statuses["running"] == nil, "\(statuses)")
            #expect(statuses.values.reduce(0, +) == 300)
        }
    }
}

#if canImport(Glibc)
    import Glibc
#endif
