import Crypto
import Foundation
import Inlet
import InletTestSupport
import Postgres
import Synchronization
import Testing

/// Issue 16's delivery semantics through the real `inlet-server` and `inlet-worker` processes and real receivers:
/// retry policies (a long outage survived, 4xx answers ending the run, a maximum age), delayed dispatch, and
/// form-encoded ingest. Long outages are simulated by short schedules.
@Suite(.serialized) struct DeliveryPolicyEndToEndTests {
    func withStack(
        _ body: (InletProcesses, _ key: String, _ pool: PostgresPool) async throws -> Void
    ) async throws {
        try await InletProcesses.withStack({ _ in }, body)
    }

    /// A source `name` with one http job delivering to `hook` under `policy`; returns the source and job ids.
    func sourceWithJob(
        _ stack: InletProcesses, key: String, name: String, hook: String, policy: JSONValue? = nil,
        maxAttempts: Int = 10, sourceFields: JSONValue = [:]
    ) async throws -> (source: String, job: String) {
        var sourceBody = sourceFields.objectValue ?? JSONObject()
        sourceBody["name"] = .string(name)
        let source = try await stack.request(.POST, "/v1/event-sources", json: .object(sourceBody), token: key)
        let sourceID = try #require(source["id"]?.stringValue, "\(String(describing: source.body))")
        let jobJSON: JSONValue = [
            "name": .string("\(name)-job"), "kind": "http", "config": ["url": .string(hook)],
            "max_attempts": .int(Int64(maxAttempts)),
        ]
        var jobBody = jobJSON.objectValue ?? JSONObject()
        if let policy { jobBody["retry_policy"] = policy }
        let job = try await stack.request(.POST, "/v1/jobs", json: .object(jobBody), token: key)
        let jobID = try #require(job["id"]?.stringValue, "\(String(describing: job.body))")
        let subscription = try await stack.request(
            .POST, "/v1/event-sources/\(sourceID)/subscribe",
            json: ["target_type": "job", "target_id": .string(jobID)],
            token: key)
        #expect(subscription.status == 201)
        return (sourceID, jobID)
    }

    func onlyRun(_ stack: InletProcesses, key: String, job: String) async throws -> InletProcesses.Reply {
        let runs = try await stack.request(.GET, "/v1/runs?job_id=\(job)", token: key)
        let id = try #require(runs.body?.arrayValue?.first?["id"]?.stringValue)
        return try await stack.request(.GET, "/v1/runs/\(id)", token: key)
    }

    @Test func aTargetDownLongerThanTenAttemptsOfTheOldScheduleStillGetsItsEvent() async throws {
        // The default schedule scaled down 10,000 times (1 ms … 5.76 s, at least 9 s in all even with jitter). The
        // receiver is down for its first 3 seconds: under the old policy's scale (10 attempts, 1 s doubling: all
        // spent within 8.5 minutes, here 51 ms) the event would be lost.
        let start = Mutex<ContinuousClock.Instant?>(nil)
        let receiver = TestReceiver { _ in
            let first = start.withLock { value in
                if value == nil { value = .now }
                return value!
            }
            return TestReceiver.Reply(status: ContinuousClock.now - first < .seconds(3) ? 503 : 200, body: "down")
        }
        let scaled = RetryPolicy.defaultDelays.map { JSONValue.int(max(1, $0.components.seconds / 10)) }
        try await receiver.serve { hook in
            try await withStack { stack, key, _ in
                let (_, job) = try await sourceWithJob(
                    stack, key: key, name: "outage", hook: hook, policy: ["delays_ms": .array(scaled)])
                try stack.startWorker("delivery-outage")
                let dispatched = try await stack.request(
                    .POST, "/v1/events/dispatch", json: ["source": "outage", "payload": ["n": 1]], token: key)
                #expect(dispatched["dispatched"] == 1)
                try await waitUntil(timeout: .seconds(180)) {
                    try await onlyRun(stack, key: key, job: job)["status"] == "succeeded"
                }
                let run = try await onlyRun(stack, key: key, job: job)
                let outcomes = run["attempts"]?.arrayValue?.map { $0["status_code"] } ?? []
                #expect(outcomes.count >= 2)
                #expect(outcomes.last == 200)
                #expect(outcomes.dropLast().allSatisfy { $0 == 503 })
                #expect(receiver.requests.count == outcomes.count)
            }
        }
    }

    @Test func aNonRetryableAnswerEndsTheRunAtOnceWithItsReason() async throws {
        let receiver = TestReceiver { _ in TestReceiver.Reply(status: 404, body: "no such hook") }
        let throttled = TestReceiver { index in TestReceiver.Reply(status: index == 0 ? 410 : 200) }
        try await receiver.serve { hook in
            try await throttled.serve { gone in
                try await withStack { stack, key, _ in
                    let (_, job) = try await sourceWithJob(
                        stack, key: key, name: "missing", hook: hook, policy: ["delays_ms": [10]])
                    // 410 is retried here: the job lists it as an exception.
                    let (_, retried) = try await sourceWithJob(
                        stack, key: key, name: "gone", hook: gone,
                        policy: ["delays_ms": [10], "retryable_statuses": [410]])
                    try stack.startWorker("delivery-4xx")
                    for source in ["missing", "gone"] {
                        _ = try await stack.request(
                            .POST, "/v1/events/dispatch", json: ["source": .string(source)], token: key)
                    }
                    try await waitUntil { try await onlyRun(stack, key: key, job: job)["status"] == "dead" }
                    let run = try await onlyRun(stack, key: key, job: job)
                    #expect(run["dead_reason"] == "non_retryable_status")
                    #expect(run["attempt"] == 1 && run["max_attempts"] == 10)
                    #expect(run["attempts"]?.arrayValue?.map { $0["status_code"] } == [404])
                    #expect(run["last_error"] == "the target answered 404")
                    #expect(receiver.requests.count == 1)

                    try await waitUntil { try await onlyRun(stack, key: key, job: retried)["status"] == "succeeded" }
                    let retriedRun = try await onlyRun(stack, key: key, job: retried)
                    #expect(retriedRun["attempts"]?.arrayValue?.map { $0["status_code"] } == [410, 200])
                }
            }
        }
    }

    @Test func aRunPastItsMaximumAgeIsDead() async throws {
        let receiver = TestReceiver { _ in TestReceiver.Reply(status: 503) }
        try await receiver.serve { hook in
            try await withStack { stack, key, _ in
                let (_, job) = try await sourceWithJob(
                    stack, key: key, name: "aging", hook: hook,
                    policy: ["delays_ms": [300], "jitter": 0, "max_age_ms": 1000], maxAttempts: 100)
                try stack.startWorker("delivery-age")
                _ = try await stack.request(.POST, "/v1/events/dispatch", json: ["source": "aging"], token: key)
                try await waitUntil { try await onlyRun(stack, key: key, job: job)["status"] == "dead" }
                let run = try await onlyRun(stack, key: key, job: job)
                #expect(run["dead_reason"] == "max_age_exceeded")
                // Attempts start at 0, 300, 600, 900 ms after the first at the earliest; the next would pass 1 s.
                let attempts = run["attempts"]?.arrayValue ?? []
                #expect((1...4).contains(attempts.count), "\(attempts.count) attempts")
            }
        }
    }

    @Test func delayedRunsAreScheduledDurablyAndStartNoEarlierThanAsked() async throws {
        let receiver = TestReceiver()
        try await receiver.serve { hook in
            try await withStack { stack, key, pool in
                let (_, job) = try await sourceWithJob(stack, key: key, name: "later", hook: hook)
                let (_, sourceDelayed) = try await sourceWithJob(
                    stack, key: key, name: "slow-source", hook: hook, sourceFields: ["delivery_delay_ms": 2000])
                try stack.startWorker("delivery-delay")
                let dispatched = try await stack.request(
                    .POST, "/v1/events/dispatch", json: ["source": "later", "delay_ms": 2000], token: key)
                #expect(dispatched["dispatched"] == 1)
                _ = try await stack.request(.POST, "/v1/events/dispatch", json: ["source": "slow-source"], token: key)
                for jobID in [job, sourceDelayed] {
                    let run = try await onlyRun(stack, key: key, job: jobID)
                    let deliverAt = try #require(run["deliver_at"]?.stringValue.flatMap(Timestamp.date))
                    // Reported as scheduled until deliver_at (unless this machine took that long to ask).
                    if Date() < deliverAt.addingTimeInterval(-0.5) { #expect(run["status"] == "scheduled") }
                    let scheduled = try await stack.request(.GET, "/v1/runs?status=scheduled,succeeded", token: key)
                    #expect(scheduled.body?.arrayValue?.contains { $0["id"] == run["id"] } == true)
                }
                try await waitUntil { try await onlyRun(stack, key: key, job: job)["status"] == "succeeded" }
                try await waitUntil { try await onlyRun(stack, key: key, job: sourceDelayed)["status"] == "succeeded" }
                // Each first attempt started at or after its deliver_at (the database's clock for both).
                let early = try await pool.query(
                    """
                    SELECT count(*) FROM job_runs r JOIN run_attempts a ON a.project_id = r.project_id AND a.run_id = r.id
                    WHERE a.attempt = 1 AND a.started_at < r.deliver_at - interval '50 milliseconds'
                    """)
                #expect(try early[0].decode(Int.self, at: 0) == 0)
                let delivered = try await pool.query("SELECT count(*) FROM job_runs WHERE deliver_at IS NOT NULL")
                #expect(try delivered[0].decode(Int.self, at: 0) == 2)
                #expect(receiver.requests.count == 2)
            }
        }
    }

    @Test func aSignedSlackFormIsIngestedAsFieldsAndRoutedOnThem() async throws {
        let receiver = TestReceiver()
        try await receiver.serve { hook in
            try await withStack { stack, key, _ in
                let (source, job) = try await sourceWithJob(
                    stack, key: key, name: "slack", hook: hook,
                    sourceFields: ["signature_scheme": "slack", "signing_secret": "8f742231b10e8888abcd99yyyzzz85a5"])
                // A second job that only wants /other commands.
                let other = try await stack.request(
                    .POST, "/v1/jobs", json: ["name": "other", "kind": "http", "config": ["url": .string(hook)]],
                    token: key)
                _ = try await stack.request(
                    .POST, "/v1/event-sources/\(source)/subscribe",
                    json: [
                        "target_type": "job", "target_id": other["id"] ?? .null,
                        "filter_expr": ["command": ["/other"]],
                    ], token: key)
                try stack.startWorker("delivery-form")
                let body = "token=x&team_id=T1&command=%2Fdeploy&text=api+now"
                let timestamp = String(Int(Date().timeIntervalSince1970))
                let mac = HMAC<SHA256>.authenticationCode(
                    for: Data("v0:\(timestamp):\(body)".utf8),
                    using: SymmetricKey(data: Data("8f742231b10e8888abcd99yyyzzz85a5".utf8)))
                let signature = "v0=" + mac.map { String(format: "%02x", $0) }.joined()
                let ingested = try await stack.request(
                    .POST, "/v1/ingest/\(source)", rawBody: body, token: nil,
                    headers: [
                        "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Signature": signature,
                        "X-Slack-Request-Timestamp": timestamp,
                    ])
                #expect(ingested.status == 202)
                #expect(ingested["dispatched"] == 1)
                try await waitUntil { try await onlyRun(stack, key: key, job: job)["status"] == "succeeded" }
                let envelope = try JSONValue(parsing: try #require(receiver.requests.first).body)
                #expect(
                    envelope["payload"] == ["token": "x", "team_id": "T1", "command": "/deploy", "text": "api now"])
            }
        }
    }

    @Test func duringARotationsGraceDeliveriesVerifyUnderBothSecrets() async throws {
        let receiver = TestReceiver()
        try await receiver.serve { hook in
            try await withStack { stack, key, pool in
                let source = try await stack.request(.POST, "/v1/event-sources", json: ["name": "rotating"], token: key)
                let job = try await stack.request(
                    .POST, "/v1/jobs", json: ["name": "rotating", "kind": "http", "config": ["url": .string(hook)]],
                    token: key)
                let jobID = try #require(job["id"]?.stringValue)
                let original = SigningSecret(try #require(job["signing_secret"]?.stringValue))
                _ = try await stack.request(
                    .POST, "/v1/event-sources/\(source["id"]?.stringValue ?? "")/subscribe",
                    json: ["target_type": "job", "target_id": .string(jobID)], token: key)
                try stack.startWorker("delivery-rotation")

                func deliverOne() async throws -> TestReceiver.Request {
                    let count = receiver.requests.count
                    _ = try await stack.request(.POST, "/v1/events/dispatch", json: ["source": "rotating"], token: key)
                    try await waitUntil { receiver.requests.count > count }
                    return receiver.requests[count]
                }
                func verifies(_ request: TestReceiver.Request, _ secret: SigningSecret) throws -> Bool {
                    let verifier = try SignatureVerifier(
                        configuration: SignatureConfiguration(scheme: .standardWebhooks), secrets: [secret])
                    return verifier.verify(
                        body: request.body, headers: request.headers, now: Int64(Date().timeIntervalSince1970)
                    ).isAccepted
                }

                let before = try await deliverOne()
                #expect(try verifies(before, original))
                #expect(before.headers["webhook-signature"]?.split(separator: " ").count == 1)

                let rotated = try await stack.request(
                    .POST, "/v1/jobs/\(jobID)/rotate-secret", json: ["grace_period_seconds": 3600], token: key)
                #expect(rotated.status == 200)
                let second = SigningSecret(try #require(rotated["signing_secret"]?.stringValue))
                #expect(second != original)
                #expect(rotated["previous_secret_expires_at"]?.stringValue != nil)
                // Shown once: reading the job back never shows a secret.
                let read = try await stack.request(.GET, "/v1/jobs/\(jobID)", token: key)
                #expect(read["signing_secret"] == nil && read["previous_secret_expires_at"] != .null)

                let during = try await deliverOne()
                #expect(during.headers["webhook-signature"]?.split(separator: " ").count == 2)
                #expect(try verifies(during, original), "a receiver still on the old secret accepts it")
                #expect(try verifies(during, second), "a receiver already on the new secret accepts it")

                // Rotating again without grace: only the newest secret signs, at once.
                let third = try await stack.request(
                    .POST, "/v1/jobs/\(jobID)/rotate-secret", json: ["grace_period_seconds": 0], token: key)
                let thirdSecret = SigningSecret(try #require(third["signing_secret"]?.stringValue))
                #expect(third["previous_secret_expires_at"] == .null)
                let after = try await deliverOne()
                #expect(try verifies(after, thirdSecret))
                #expect(try !verifies(after, second) && !verifies(after, original))
                let stored = try await pool.query(
                    "SELECT count(*) FROM jobs WHERE previous_secret_expires_at IS NOT NULL")
                #expect(try stored[0].decode(Int.self, at: 0) == 0)
            }
        }
    }

    @Test func deadRunsAreRetriedAndEventsReplayedInBoundedBatches() async throws {
        let up = Mutex(false)
        let receiver = TestReceiver { _ in TestReceiver.Reply(status: up.withLock { $0 } ? 200 : 503) }
        try await receiver.serve { hook in
            try await withStack { stack, key, pool in
                let (source, job) = try await sourceWithJob(
                    stack, key: key, name: "recover", hook: hook, policy: ["delays_ms": [10]], maxAttempts: 1)
                try stack.startWorker("delivery-recovery")
                let start = Timestamp.string(Date().addingTimeInterval(-60))
                for index in 0..<3 {
                    _ = try await stack.request(
                        .POST, "/v1/events/dispatch",
                        json: ["source": "recover", "payload": ["n": .int(Int64(index))]],
                        token: key)
                }
                func count(_ status: String) async throws -> Int {
                    let rows = try await pool.query("SELECT count(*) FROM job_runs WHERE status = $1", [status])
                    return try rows[0].decode(Int.self, at: 0)
                }
                try await waitUntil { try await count("dead") == 3 }
                up.withLock { $0 = true }

                // Two batches of two: a count and has_more in each answer.
                let first = try await stack.request(
                    .POST, "/v1/jobs/\(job)/retry-dead", json: ["limit": 2], token: key)
                #expect(first["requeued"] == 2 && first["has_more"] == true)
                let second = try await stack.request(
                    .POST, "/v1/jobs/\(job)/retry-dead", json: ["limit": 2], token: key)
                #expect(second["requeued"] == 1 && second["has_more"] == false)
                try await waitUntil { try await count("succeeded") == 3 }

                // Replay the range: a dry run counts, then two batches create one new run per event.
                let end = Timestamp.string(Date().addingTimeInterval(60))
                let range: JSONValue = ["from": .string(start), "to": .string(end), "limit": 2]
                var dry = range.objectValue ?? JSONObject()
                dry["dry_run"] = true
                let preview = try await stack.request(
                    .POST, "/v1/event-sources/\(source)/replay", json: .object(dry), token: key)
                #expect(preview.status == 200)
                #expect(preview["events"] == 2 && preview["matched"] == 2 && preview["dispatched"] == 0)
                #expect(try await count("queued") + count("running") == 0)
                var replayed = 0
                var after: JSONValue = .null
                repeat {
                    var body = range.objectValue ?? JSONObject()
                    if after != .null { body["after"] = after }
                    let batch = try await stack.request(
                        .POST, "/v1/event-sources/\(source)/replay", json: .object(body), token: key)
                    #expect(batch.status == 202)
                    replayed += batch["dispatched"]?.numberValue?.int64.map(Int.init) ?? 0
                    after = batch["next_after"] ?? .null
                } while after != .null
                #expect(replayed == 3)
                try await waitUntil { try await count("succeeded") == 6 }
            }
        }
    }
}
