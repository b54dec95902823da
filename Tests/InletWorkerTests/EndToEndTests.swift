import Foundation
import Inlet
import InletTestSupport
import Postgres
import Testing

/// Dispatch through the real `inlet-server`, execution by real `inlet-worker` processes, delivery to a real HTTP
/// receiver — each test in its own scratch database.
@Suite(.serialized) struct EndToEndTests {
    /// Runs `body` with a server started on a scratch database and a project key.
    func withStack(
        _ body: (InletProcesses, _ key: String, _ pool: PostgresPool) async throws -> Void
    ) async throws {
        try await InletProcesses.withStack({ _ in }, body)
    }

    func statuses(_ pool: PostgresPool) async throws -> [String: Int] {
        let rows = try await pool.query("SELECT status, count(*) FROM job_runs GROUP BY status")
        var result: [String: Int] = [:]
        for row in rows { result[try row.decode(String.self, at: 0)] = try row.decode(Int.self, at: 1) }
        return result
    }

    @Test func anEventIsDeliveredOnceToEachMatchingSignedJob() async throws {
        let receiver = TestReceiver()
        try await receiver.serve { hook in
            try await withStack { stack, key, pool in
                let source = try await stack.request(.POST, "/v1/event-sources", json: ["name": "orders"], token: key)
                let sourceID = try #require(source["id"]?.stringValue)
                var secrets: [String: String] = [:]
                // Three matching subscriptions, one that does not match, one disabled, one whose job is disabled.
                for (index, filter)
                    in ([[:], ["type": ["created"]], ["type": [["prefix": "cre"]]], ["type": ["deleted"]], [:], [:]]
                    as [JSONValue]).enumerated()
                {
                    let job = try await stack.request(
                        .POST, "/v1/jobs",
                        json: [
                            "name": .string("job-\(index)"), "kind": "http",
                            "config": ["url": .string(hook), "headers": ["x-job": .string("\(index)")]],
                        ],
                        token: key)
                    let jobID = try #require(job["id"]?.stringValue)
                    secrets["\(index)"] = job["signing_secret"]?.stringValue
                    let subscription = try await stack.request(
                        .POST, "/v1/event-sources/\(sourceID)/subscribe",
                        json: [
                            "target_type": "job", "target_id": .string(jobID), "filter_expr": filter,
                            "enabled": .bool(index != 4),
                        ],
                        token: key)
                    #expect(subscription.status == 201)
                    if index == 5 {
                        _ = try await stack.request(.PATCH, "/v1/jobs/\(jobID)", json: ["enabled": false], token: key)
                    }
                }
                try stack.startWorker("e2e-1")
                let dispatched = try await stack.request(
                    .POST, "/v1/events/dispatch", json: ["source": "orders", "payload": ["type": "created", "n": 1]],
                    token: key)
                #expect(dispatched.status == 202)
                #expect(dispatched["dispatched"] == 3)
                try await waitUntil { try await self.statuses(pool) == ["succeeded": 3] }
                let deliveries = receiver.requests
                #expect(deliveries.count == 3)
                #expect(Set(deliveries.compactMap { $0.headers["x-job"] }) == ["0", "1", "2"])
                for delivery in deliveries {
                    let secret = try #require(secrets[delivery.headers["x-job"] ?? ""])
                    let verifier = try SignatureVerifier(
                        configuration: try SignatureConfiguration(scheme: .standardWebhooks),
                        secrets: [SigningSecret(secret)])
                    let verdict = verifier.verify(
                        body: delivery.body, headers: delivery.headers, now: Int64(Date().timeIntervalSince1970))
                    #expect(verdict.isAccepted, "delivery for job \(delivery.headers["x-job"] ?? "?") does not verify")
                    let envelope = try JSONValue(parsing: delivery.body)
                    #expect(envelope["payload"] == ["type": "created", "n": 1])
                    #expect(envelope["source"] == "orders")
                    #expect(envelope["event_id"] == dispatched["event_id"])
                    #expect(envelope["attempt"] == 1)
                }
            }
        }
    }

    @Test func failuresAreRetriedWithBackoffUntilSuccessOrDead() async throws {
        // Job "flaky" fails twice then succeeds; job "broken" always fails and has three attempts.
        let flakyReceiver = TestReceiver { index in TestReceiver.Reply(status: index < 2 ? 500 : 200) }
        let brokenReceiver = TestReceiver { _ in TestReceiver.Reply(status: 503, body: "down") }
        try await flakyReceiver.serve { flaky in
            try await brokenReceiver.serve { broken in
                try await withStack { stack, key, pool in
                    let source = try await stack.request(.POST, "/v1/event-sources", json: ["name": "s"], token: key)
                    let sourceID = try #require(source["id"]?.stringValue)
                    var jobIDs: [String] = []
                    for (name, url, attempts) in [("flaky", flaky, 10), ("broken", broken, 3)] {
                        let job = try await stack.request(
                            .POST, "/v1/jobs",
                            json: [
                                "name": .string(name), "kind": "http", "config": ["url": .string(url)],
                                "max_attempts": .int(Int64(attempts)), "retry_policy": ["delays_ms": [50]],
                            ],
                            token: key)
                        let jobID = try #require(job["id"]?.stringValue)
                        jobIDs.append(jobID)
                        _ = try await stack.request(
                            .POST, "/v1/event-sources/\(sourceID)/subscribe",
                            json: ["target_type": "job", "target_id": .string(jobID)], token: key)
                    }
                    try stack.startWorker("e2e-retry")
                    _ = try await stack.request(
                        .POST, "/v1/events/dispatch", json: ["source": "s", "payload": [:]], token: key)
                    try await waitUntil {
                        try await self.statuses(pool) == ["succeeded": 1, "dead": 1]
                    }

                    let flakyRun = try await stack.request(.GET, "/v1/runs?job_id=\(jobIDs[0])", token: key)
                    let flakyID = try #require(flakyRun.body?.arrayValue?.first?["id"]?.stringValue)
                    let flakyDetail = try await stack.request(.GET, "/v1/runs/\(flakyID)", token: key)
                    #expect(flakyDetail["status"] == "succeeded")
                    #expect(
                        flakyDetail["attempts"]?.arrayValue?.map { $0["outcome"] } == ["failed", "failed", "succeeded"])
                    #expect(flakyDetail["attempts"]?.arrayValue?.map { $0["status_code"] } == [500, 500, 200])

                    let brokenRun = try await stack.request(.GET, "/v1/runs?job_id=\(jobIDs[1])", token: key)
                    let brokenID = try #require(brokenRun.body?.arrayValue?.first?["id"]?.stringValue)
                    let brokenDetail = try await stack.request(.GET, "/v1/runs/\(brokenID)", token: key)
                    #expect(brokenDetail["status"] == "dead")
                    let attempts = brokenDetail["attempts"]?.arrayValue ?? []
                    #expect(attempts.count == 3)
                    #expect(attempts.allSatisfy { $0["response_excerpt"] == "down" && $0["status_code"] == 503 })
                    // Full-jitter backoff: the gap before attempt n is at most 2^(n-2) s (plus scheduling slack).
                    let starts = try await pool.query(
                        "SELECT extract(epoch FROM started_at)::float8 FROM run_attempts WHERE run_id = $1 ORDER BY attempt",
                        [try #require(UUID(uuidString: brokenID))])
                    let times = try starts.map { try $0.decode(Double.self, at: 0) }
                    for index in 1..<times.count {
                        #expect(times[index] - times[index - 1] <= pow(2, Double(index - 1)) + 1.5)
                    }
                }
            }
        }
    }

    @Test func aKilledWorkersLeasedRunsAreRescuedByAnother() async throws {
        // The first deliveries hang, so worker A holds leased runs when it is killed.
        let receiver = TestReceiver { index in TestReceiver.Reply(delay: index < 3 ? .seconds(8) : .zero) }
        try await receiver.serve { hook in
            try await withStack { stack, key, pool in
                let source = try await stack.request(.POST, "/v1/event-sources", json: ["name": "s"], token: key)
                let job = try await stack.request(
                    .POST, "/v1/jobs",
                    json: ["name": "slow", "kind": "http", "config": ["url": .string(hook), "timeout_ms": 60000]],
                    token: key)
                _ = try await stack.request(
                    .POST, "/v1/event-sources/\(source["id"]!.stringValue!)/subscribe",
                    json: ["target_type": "job", "target_id": job["id"]!], token: key)
                try stack.startWorker("victim", ["INLET_WORKER_LEASE_SECONDS": "2"])
                for index in 0..<3 {
                    _ = try await stack.request(
                        .POST, "/v1/events/dispatch", json: ["source": "s", "payload": ["i": .int(Int64(index))]],
                        token: key)
                }
                try await waitUntil { receiver.requests.count == 3 }
                #expect(try await self.statuses(pool) == ["running": 3])
                stack.kill("victim", signal: SIGKILL)
                try stack.startWorker("rescuer", ["INLET_WORKER_LEASE_SECONDS": "2"])
                try await waitUntil { try await self.statuses(pool) == ["succeeded": 3] }
                let outcomes = try await pool.query("SELECT outcome, worker FROM run_attempts ORDER BY outcome")
                let pairs = try outcomes.map { "\(try $0.decode(String.self, at: 0))" }
                #expect(pairs.filter { $0 == "lease_expired" }.count == 3)
                #expect(pairs.filter { $0 == "succeeded" }.count == 3)
            }
        }
    }
}
