import Foundation
import Inlet
import InletTestSupport
import Postgres
import Synchronization
import Testing

/// Issue 15 end to end: the real `inlet-server` and `inlet-worker` processes against a real HTTP receiver. Limits
/// are observed where they matter, at the receiver; no test asserts on speed.
@Suite(.serialized) struct FairShareProcessTests {
    /// Creates a source `orders` and an http job (`fields` added to its body) subscribed to it; returns the job id.
    func httpJob(_ stack: InletProcesses, key: String, hook: String, _ fields: JSONValue) async throws -> String {
        let source = try await stack.request(.POST, "/v1/event-sources", json: ["name": "orders"], token: key)
        var body = fields.objectValue ?? JSONObject()
        body["name"] = "limited"
        body["kind"] = "http"
        body["config"] = ["url": .string(hook)]
        let job = try await stack.request(.POST, "/v1/jobs", json: .object(body), token: key)
        try #require(job.status == 201, "\(String(describing: job.body))")
        let jobID = try #require(job["id"]?.stringValue)
        let subscription = try await stack.request(
            .POST, "/v1/event-sources/\(try #require(source["id"]?.stringValue))/subscribe",
            json: ["target_type": "job", "target_id": .string(jobID)], token: key)
        try #require(subscription.status == 201)
        return jobID
    }

    func dispatch(_ count: Int, _ stack: InletProcesses, key: String) async throws {
        for index in 0..<count {
            let response = try await stack.request(
                .POST, "/v1/events/dispatch", json: ["source": "orders", "payload": ["n": .int(Int64(index))]],
                token: key)
            try #require(response.status == 202)
        }
    }

    func statuses(_ pool: PostgresPool) async throws -> [String: Int] {
        var result: [String: Int] = [:]
        for row in try await pool.query("SELECT status, count(*) FROM job_runs GROUP BY status") {
            result[try row.decode(String.self, at: 0)] = try row.decode(Int.self, at: 1)
        }
        return result
    }

    @Test func maxConcurrencyIsNeverExceededByThreeWorkerProcesses() async throws {
        let receiver = TestReceiver { _ in .init(delay: .milliseconds(150)) }
        try await receiver.serve { hook in
            try await InletProcesses.withStack { stack, key, pool in
                _ = try await httpJob(stack, key: key, hook: hook, ["max_concurrency": 2])
                try await dispatch(24, stack, key: key)
                for index in 1...3 { try stack.startWorker("fair-\(index)") }
                var mostRunning = 0
                try await waitUntil {
                    let counts = try await statuses(pool)
                    mostRunning = max(mostRunning, counts["running"] ?? 0)
                    return counts == ["succeeded": 24]
                }
                #expect(receiver.requests.count == 24)
                #expect(receiver.mostInFlight <= 2, "the receiver saw \(receiver.mostInFlight) deliveries at once")
                // Held-back runs stay queued: they never wait in a worker as running.
                #expect(mostRunning <= 2, "\(mostRunning) runs were running at once")
                let workers = try await pool.query("SELECT count(DISTINCT worker) FROM run_attempts")
                #expect(try workers[0].decode(Int.self, at: 0) >= 1)
            }
        }
    }

    @Test func weightsAreHonouredByARealWorker() async throws {
        let receiver = TestReceiver()
        try await receiver.serve { hook in
            try await InletProcesses.withStack { stack, heavyKey, pool in
                let other = try await stack.request(
                    .POST, "/v1/projects", json: ["name": "light"], token: stack.adminToken)
                let lightID = try #require(other["id"]?.stringValue)
                let lightKey = try #require(
                    try await stack.request(
                        .POST, "/v1/projects/\(lightID)/api-keys", json: [:], token: stack.adminToken
                    )["token"]?.stringValue)
                let heavy = try await stack.request(.GET, "/v1/projects", token: heavyKey)
                let heavyID = try #require(heavy.body?.arrayValue?.first?["id"]?.stringValue)
                let weighted = try await stack.request(
                    .PATCH, "/v1/projects/\(heavyID)/limits", json: ["weight": 3], token: stack.adminToken)
                #expect(weighted.status == 200)
                for key in [heavyKey, lightKey] {
                    _ = try await httpJob(stack, key: key, hook: hook, ["max_concurrency": nil])
                    try await dispatch(300, stack, key: key)
                }
                try stack.startWorker("weights", ["INLET_WORKER_CONCURRENCY": "8", "INLET_WORKER_BATCH_SIZE": "40"])
                try await waitUntil { try await statuses(pool) == ["succeeded": 600] }
                // While both projects had runs queued (the first 400 starts: the light project's 300 last longer),
                // the heavy one got three runs for every one of the light one's.
                let order = try await pool.query(
                    """
                    SELECT a.project_id FROM run_attempts AS a ORDER BY a.started_at, a.run_id LIMIT 400
                    """)
                var heavyRuns = 0
                for row in order where try row.decode(UUID.self, at: 0).lowercasedString == heavyID { heavyRuns += 1 }
                let share = Double(heavyRuns) / 400
                #expect(abs(share - 0.75) <= 0.08, "weight 3 against 1 took \(share * 100) % of the first 400 starts")
            }
        }
    }

    @Test func aRateLimitHoldsAcrossWorkers() async throws {
        let receiver = TestReceiver()
        try await receiver.serve { hook in
            try await InletProcesses.withStack { stack, key, pool in
                _ = try await httpJob(
                    stack, key: key, hook: hook, ["rate_limit": ["per_second": 4, "burst": 2]])
                try await dispatch(14, stack, key: key)
                for index in 1...2 { try stack.startWorker("rate-\(index)") }
                try await waitUntil { try await statuses(pool) == ["succeeded": 14] }
                let arrivals = receiver.arrivals
                #expect(arrivals.count == 14)
                // A token bucket of 4/s with a burst of 2 starts at most 2 + 4 runs in any second; the receiver sees
                // them a little bunched by delivery times, hence one more.
                for (index, start) in arrivals.enumerated() {
                    let inWindow = arrivals[index...].prefix { $0 < start.advanced(by: .seconds(1)) }.count
                    #expect(inWindow <= 7, "\(inWindow) deliveries within a second of delivery \(index)")
                }
            }
        }
    }

    @Test func theBreakerOpensProbesAndCloses() async throws {
        let healthy = Mutex(false)
        let receiver = TestReceiver { _ in
            healthy.withLock { $0 } ? .init() : .init(status: 503, body: "down")
        }
        try await receiver.serve { hook in
            try await InletProcesses.withStack { stack, key, pool in
                let jobID = try await httpJob(
                    stack, key: key, hook: hook,
                    ["max_attempts": 50, "circuit_breaker": ["failure_threshold": 3, "probe_interval_seconds": 1]])
                try await dispatch(6, stack, key: key)
                stack.logLevel = "info"
                try stack.startWorker("breaker")
                func circuit() async throws -> JSONValue? {
                    try await stack.request(.GET, "/v1/jobs/\(jobID)", token: key)["circuit"]
                }
                try await waitUntil { try await circuit()?["state"] != "closed" }
                let opened = try await circuit()
                #expect(opened?["last_error"]?.stringValue?.contains("503") == true, "\(String(describing: opened))")
                #expect((opened?["consecutive_failures"]?.numberValue?.int64 ?? 0) >= 3)
                try await waitUntil { stack.log("worker-breaker").contains("circuit open") }
                try await waitUntil("the server's /metrics counts the circuit") {
                    let metrics = await stack.serverGet("/metrics", token: stack.adminToken).text
                    return metrics.contains("inlet_job_circuits{state=\"open\"} 1")
                        || metrics.contains("inlet_job_circuits{state=\"half_open\"} 1")
                }
                // While open, only probes reach the receiver: a few requests more, not six runs retrying.
                let atOpen = receiver.requests.count
                try await waitUntil { receiver.requests.count >= atOpen + 2 }
                #expect(try await statuses(pool)["dead"] == nil)
                let attempts = try await pool.query("SELECT count(*) FROM run_attempts")
                let recorded = try attempts[0].decode(Int.self, at: 0)
                #expect(recorded <= receiver.requests.count, "every attempt was a delivery")
                #expect(stack.log("worker-breaker").contains("to=half_open") || recorded > atOpen)

                healthy.withLock { $0 = true }
                try await waitUntil { try await circuit()?["state"] == "closed" }
                try await waitUntil { try await statuses(pool) == ["succeeded": 6] }
                try await waitUntil { stack.log("worker-breaker").contains("circuit closed") }
                let metrics = await stack.workerGet("breaker", "/metrics")
                #expect(metrics.text.contains("inlet_worker_circuit_transitions_total{to=\"open\"}"))
            }
        }
    }

    @Test func anOperatorClosesAnOpenCircuitByHand() async throws {
        let receiver = TestReceiver { index in index < 3 ? .init(status: 500) : .init() }
        try await receiver.serve { hook in
            try await InletProcesses.withStack { stack, key, pool in
                let jobID = try await httpJob(
                    stack, key: key, hook: hook,
                    ["max_attempts": 50, "circuit_breaker": ["failure_threshold": 3, "probe_interval_seconds": 3600]])
                try await dispatch(3, stack, key: key)
                try stack.startWorker("operator")
                try await waitUntil {
                    try await stack.request(.GET, "/v1/jobs/\(jobID)", token: key)["circuit"]?["state"] == "open"
                }
                // The first probe is an hour away; the operator knows better.
                let closed = try await stack.request(.POST, "/v1/jobs/\(jobID)/close-circuit", token: key)
                #expect(closed.status == 200)
                #expect(closed["circuit"]?["state"] == "closed")
                try await waitUntil { try await statuses(pool) == ["succeeded": 3] }
            }
        }
    }
}
