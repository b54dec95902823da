import Foundation
import Inlet
import InletStore
import InletTestSupport
import Postgres
import Testing

@testable import InletWorker

/// The `http` kind against a real HTTP server on 127.0.0.1, through a running worker.
@Suite struct HTTPDeliveryTests {
    /// Runs one worker with the real http handler until `done` holds.
    func deliver(
        _ fixture: QueueFixture, allowPrivateTargets: Bool = true, resolver: (any HostResolver)? = nil,
        until done: @escaping () async throws -> Bool
    ) async throws {
        let http = HTTPJobHandler(allowPrivateTargets: allowPrivateTargets, resolver: resolver)
        var handlers = JobHandlerRegistry()
        handlers.register(http, for: .http)
        let worker = Worker(
            queue: JobRunQueue(pool: fixture.pool),
            configuration: fixture.workerConfiguration { $0.allowPrivateTargets = allowPrivateTargets },
            handlers: handlers, logger: quietLogger())
        try await withServices([worker, http]) { _ in
            try await waitUntil { try await done() }
        }
    }

    @Test func deliversTheSignedEnvelopeWithTheJobsHeaders() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let receiver = TestReceiver { _ in .init(status: 202, body: "accepted") }
            try await receiver.serve { url in
                let job = try await fixture.createJob(
                    kind: "http", config: #"{"url":"\#(url)","headers":{"x-team":"billing"}}"#)
                let event = try await fixture.createEvent(payload: #"{"order":42,"items":[1,2]}"#)
                let id = try await fixture.enqueue(1, of: job, event: event)[0]
                try await deliver(fixture) { try await fixture.run(id).status == "succeeded" }

                let request = try #require(receiver.requests.first)
                #expect(receiver.requests.count == 1)
                #expect(request.method == "POST")
                #expect(request.headers["x-team"] == "billing")
                #expect(request.headers["content-type"] == "application/json")
                #expect(request.headers["user-agent"]?.hasPrefix("Inlet/") == true)
                #expect(request.headers["webhook-id"] == id.lowercasedString)
                let verifier = try SignatureVerifier(
                    configuration: SignatureConfiguration(scheme: .standardWebhooks), secrets: [job.secret])
                let verdict = verifier.verify(
                    body: request.body, headers: request.headers, now: Int64(Date().timeIntervalSince1970))
                #expect(verdict == .accepted(idempotencyKey: id.lowercasedString))

                let envelope = try JSONValue(parsing: request.body)
                #expect(
                    envelope
                        == [
                            "run_id": .string(id.lowercasedString), "event_id": .string(event.lowercasedString),
                            "project_id": .string(fixture.projectID.lowercasedString),
                            "source": .string(fixture.sourceName), "attempt": 1,
                            "payload": ["order": 42, "items": [1, 2]],
                        ])
                let attempt = try #require(try await fixture.attempts(id).first)
                #expect(attempt.outcome == "succeeded" && attempt.statusCode == 202)
                #expect(attempt.responseExcerpt == "accepted")
            }
        }
    }

    @Test func aFailingTargetIsRetriedUntilTheRunIsDead() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let receiver = TestReceiver { _ in .init(status: 500, body: String(repeating: "x", count: 3000)) }
            try await receiver.serve { url in
                let job = try await fixture.createJob(
                    kind: "http", config: #"{"url":"\#(url)"}"#, retryPolicy: #"{"delays_ms":[20]}"#)
                let id = try await fixture.enqueue(1, of: job, maxAttempts: 3)[0]
                try await deliver(fixture) { try await fixture.run(id).status == "dead" }

                #expect(
                    receiver.requests.map { $0.headers["webhook-id"] }
                        == Array(repeating: id.lowercasedString, count: 3))
                let attempts = try await fixture.attempts(id)
                #expect(attempts.map(\.attempt) == [1, 2, 3])
                #expect(attempts.allSatisfy { $0.outcome == "failed" && $0.statusCode == 500 })
                #expect(attempts.allSatisfy { $0.responseExcerpt?.utf8.count == 1024 })
                #expect(attempts.first?.error == "the target answered 500")
                let run = try await fixture.run(id)
                #expect(run.finished && run.lastError == "the target answered 500")
            }
        }
    }

    @Test func retryAfterOnA429SetsTheNextAttempt() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let receiver = TestReceiver { _ in .init(status: 429, headers: ["retry-after": "120"], body: "slow down") }
            try await receiver.serve { url in
                let job = try await fixture.createJob(kind: "http", config: #"{"url":"\#(url)"}"#)
                let id = try await fixture.enqueue(1, of: job)[0]
                try await deliver(fixture) { try await fixture.attempts(id).count == 1 }

                let run = try await fixture.run(id)
                #expect(run.status == "queued" && run.attempt == 1)
                #expect(run.runAtDelaySeconds > 110 && run.runAtDelaySeconds <= 120)
                #expect(try await fixture.attempts(id).first?.statusCode == 429)
            }
        }
    }

    @Test func aSlowTargetTimesOut() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let receiver = TestReceiver { _ in .init(delay: .seconds(2)) }
            try await receiver.serve { url in
                let job = try await fixture.createJob(kind: "http", config: #"{"url":"\#(url)","timeout_ms":200}"#)
                let id = try await fixture.enqueue(1, of: job, maxAttempts: 1)[0]
                try await deliver(fixture) { try await fixture.run(id).status == "dead" }

                let attempt = try #require(try await fixture.attempts(id).first)
                #expect(attempt.outcome == "timeout")
                #expect(attempt.statusCode == nil)
                // Ended by the timeout (its outcome and error say so), not before it. No upper bound: the duration is
                // measured by a task that a loaded machine can hold up.
                #expect(attempt.durationMilliseconds >= 190)
                #expect(attempt.error == "no response within 200 ms")
            }
        }
    }

    @Test func privateTargetsAreRefusedUnlessAllowed() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let receiver = TestReceiver()
            try await receiver.serve { url in
                let job = try await fixture.createJob(kind: "http", config: #"{"url":"\#(url)"}"#)
                let id = try await fixture.enqueue(1, of: job, maxAttempts: 1)[0]
                try await deliver(fixture, allowPrivateTargets: false) { try await fixture.run(id).status == "dead" }

                #expect(receiver.requests.isEmpty)
                let error = try #require(try await fixture.attempts(id).first?.error)
                #expect(error.contains("INLET_ALLOW_PRIVATE_TARGETS"), "\(error)")
            }
        }
    }

    @Test func namesResolvingToPrivateAddressesAreRefused() async throws {
        let system = SystemHostResolver(threadPool: .singleton)
        func decide(_ host: String) async -> TargetAddressGuard.Decision {
            await TargetAddressGuard.decide(host: host, resolver: system, allowPrivateTargets: false)
        }
        guard case .refuse(let problem) = await decide("localhost") else {
            Issue.record("localhost was not refused")
            return
        }
        #expect(problem.contains("non-public address"))
        #expect(await decide("93.184.215.14") == .connect([NetworkAddress("93.184.215.14")!]))
        #expect(await decide("10.1.2.3") != .connect([NetworkAddress("10.1.2.3")!]))
    }

    @Test func theEnvelopeEmbedsThePayloadVerbatim() throws {
        let run = ClaimedRun(
            lease: RunLease(projectID: UUID.v7(), runID: UUID.v7(), attempt: 3), eventID: UUID.v7(), jobID: UUID.v7(),
            jobName: "j", kind: .http, maxAttempts: 5, requestID: nil, configJSON: Array("{}".utf8),
            sealedSigningSecret: [], payloadJSON: Array(#"{"a": [1, 2.50, "\u00e9"]}"#.utf8), sourceName: "src \"x\"")
        let body = RunEnvelope.body(for: run)
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.hasSuffix(#","attempt":3,"payload":{"a": [1, 2.50, "\u00e9"]}}"#))
        #expect(try JSONValue(parsing: body)["source"] == "src \"x\"")
    }
}
