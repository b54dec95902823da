import Foundation
import Inlet
import InletStore
import InletTestSupport
import Postgres
import Testing

@Suite struct JobRunQueueTests {
    @Test func claimLeasesTheOldestRunnableRunsWithEverythingNeededToExecuteThem() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let job = try await fixture.createJob(kind: "http", config: #"{"url":"https://example.com/hook"}"#)
            let event = try await fixture.createEvent(payload: #"{"order":42,"name":"Zoë"}"#, requestID: "req-7")
            let ids = try await fixture.enqueue(3, of: job, event: event, maxAttempts: 4)
            let queue = JobRunQueue(pool: pool)

            let claimed = try await queue.claim(limit: 2, workerID: "w1", leaseSeconds: 30)
            #expect(claimed.count == 2 && Set(claimed.map(\.runID)).isSubset(of: ids))
            let run = try #require(claimed.first)
            #expect(run.attempt == 1)
            #expect(run.maxAttempts == 4)
            #expect(run.kind == .http)
            #expect(run.eventID == event)
            #expect(run.jobID == job.id)
            #expect(run.requestID == "req-7")
            #expect(run.sourceName == fixture.sourceName)
            #expect(try JSONValue(parsing: run.payloadJSON) == ["order": 42, "name": "Zoë"])
            #expect(try run.config()["url"] == "https://example.com/hook")
            let secret = try fixture.secretBox.openSigningSecret(
                run.sealedSigningSecret, context: run.signingSecretContext)
            #expect(secret == job.secret)

            let row = try await fixture.run(run.runID)
            #expect(row.status == "running")
            #expect(row.lockedBy == "w1")
            let rest = try await queue.claim(limit: 5, workerID: "w2", leaseSeconds: 30)
            #expect(Set(rest.map(\.runID) + claimed.map(\.runID)) == Set(ids))
            #expect(try await queue.claim(limit: 5, workerID: "w2", leaseSeconds: 30).isEmpty)
        }
    }

    @Test func runsOfADisabledJobWaitWithoutConsumingAttempts() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let disabled = try await fixture.createJob(enabled: false)
            let enabled = try await fixture.createJob()
            let parked = try await fixture.enqueue(1, of: disabled)[0]
            let runnable = try await fixture.enqueue(1, of: enabled)[0]
            let queue = JobRunQueue(pool: pool)

            #expect(try await queue.claim(limit: 10, workerID: "w1", leaseSeconds: 30).map(\.runID) == [runnable])
            let row = try await fixture.run(parked)
            #expect(row.status == "queued")
            #expect(row.attempt == 0)
            #expect(row.runAtInFuture)
        }
    }

    @Test func completionsRecordAttemptsAndRetryOrKillFailedRuns() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let job = try await fixture.createJob()
            let succeeding = try await fixture.enqueue(1, of: job, maxAttempts: 3)[0]
            let retried = try await fixture.enqueue(1, of: job, maxAttempts: 3)[0]
            let dying = try await fixture.enqueue(1, of: job, maxAttempts: 1)[0]
            let queue = JobRunQueue(pool: pool)
            let claimed = try await queue.claim(limit: 10, workerID: "w1", leaseSeconds: 30)
            let leases = Dictionary(uniqueKeysWithValues: claimed.map { ($0.runID, $0.lease) })
            let now = Date()
            let longBody = String(repeating: "é", count: 700)

            let ended = try await queue.complete(
                [
                    RunCompletion(
                        lease: try #require(leases[succeeding]), outcome: .succeeded, startedAt: now, finishedAt: now,
                        durationMilliseconds: 3, statusCode: 204),
                    RunCompletion(
                        lease: try #require(leases[retried]), outcome: .failed, startedAt: now, finishedAt: now,
                        durationMilliseconds: 5, statusCode: 500, error: "the target answered 500",
                        responseExcerpt: longBody, retryDelay: .seconds(90)),
                    RunCompletion(
                        lease: try #require(leases[dying]), outcome: .timeout, startedAt: now, finishedAt: now,
                        durationMilliseconds: 1000, error: "no response within 1000 ms", retryDelay: .seconds(5)),
                ], workerID: "w1")
            #expect(
                Set(ended.map(\.runStatus)) == [.succeeded, .queued, .dead] && ended.count == 3)

            let success = try await fixture.run(succeeding)
            #expect(success.status == "succeeded" && success.finished && success.lockedBy == nil)
            #expect(try await fixture.attempts(succeeding).map(\.outcome) == ["succeeded"])

            let retry = try await fixture.run(retried)
            #expect(retry.status == "queued" && !retry.finished && retry.attempt == 1)
            #expect(retry.runAtDelaySeconds > 85 && retry.runAtDelaySeconds < 95)
            #expect(retry.lastError == "the target answered 500")
            let attempt = try #require(try await fixture.attempts(retried).first)
            #expect(attempt.statusCode == 500 && attempt.worker == "w1" && attempt.durationMilliseconds == 5)
            let excerpt = try #require(attempt.responseExcerpt)
            #expect(excerpt.utf8.count <= 1024 && excerpt.utf8.count >= 1022 && excerpt.allSatisfy { $0 == "é" })

            let dead = try await fixture.run(dying)
            #expect(dead.status == "dead" && dead.finished)
            #expect(try await fixture.attempts(dying).map(\.outcome) == ["timeout"])
        }
    }

    @Test func aRescuedRunCannotBeCompletedOrRenewedByItsOldOwner() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let job = try await fixture.createJob()
            let id = try await fixture.enqueue(1, of: job, maxAttempts: 5)[0]
            let queue = JobRunQueue(pool: pool)
            let old = try #require(try await queue.claim(limit: 1, workerID: "old", leaseSeconds: 30).first)
            try await fixture.expireLease(id)

            let rescued = try await queue.rescueExpiredLeases(limit: 10)
            #expect(rescued == [EndedAttempt(lease: old.lease, runStatus: .queued, kind: .noop)])
            let lost = try #require(try await fixture.attempts(id).first)
            #expect(lost.outcome == "lease_expired" && lost.worker == "old")
            #expect(try await fixture.run(id).status == "queued")

            // Re-claimed by another worker: the old owner's heartbeat, completion and release all miss.
            let new = try #require(try await queue.claim(limit: 1, workerID: "new", leaseSeconds: 30).first)
            #expect(new.attempt == 2)
            #expect(try await queue.heartbeat([old.lease], workerID: "old", leaseSeconds: 30).isEmpty)
            let now = Date()
            let stale = RunCompletion(
                lease: old.lease, outcome: .succeeded, startedAt: now, finishedAt: now, durationMilliseconds: 1)
            #expect(try await queue.complete([stale], workerID: "old").isEmpty)
            #expect(try await queue.release([old.lease], workerID: "old") == 0)
            #expect(try await fixture.run(id).lockedBy == "new")

            let fresh = RunCompletion(
                lease: new.lease, outcome: .succeeded, startedAt: now, finishedAt: now, durationMilliseconds: 1)
            #expect(try await queue.complete([fresh], workerID: "new").count == 1)
            #expect(try await fixture.attempts(id).map(\.outcome) == ["lease_expired", "succeeded"])
        }
    }

    @Test func aRescueOfTheLastAttemptKillsTheRun() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let job = try await fixture.createJob()
            let id = try await fixture.enqueue(1, of: job, maxAttempts: 1)[0]
            let queue = JobRunQueue(pool: pool)
            _ = try await queue.claim(limit: 1, workerID: "w", leaseSeconds: 30)
            #expect(try await queue.rescueExpiredLeases(limit: 10).isEmpty)  // lease still valid
            try await fixture.expireLease(id)
            #expect(try await queue.rescueExpiredLeases(limit: 10).map(\.runStatus) == [.dead])
            let row = try await fixture.run(id)
            #expect(row.status == "dead" && row.finished)
        }
    }

    @Test func heartbeatsExtendLeasesAndReleaseGivesTheAttemptBack() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let job = try await fixture.createJob()
            let ids = try await fixture.enqueue(2, of: job)
            let queue = JobRunQueue(pool: pool)
            let claimed = try await queue.claim(limit: 2, workerID: "w", leaseSeconds: 1)
            #expect(try await queue.heartbeat(claimed.map(\.lease), workerID: "w", leaseSeconds: 600) == Set(ids))
            let remaining = try await pool.query(
                "SELECT min(extract(epoch FROM lease_until - now()))::float8 FROM job_runs"
            ).first?.decode(Double.self, at: 0)
            #expect(try #require(remaining) > 500)

            #expect(try await queue.release(claimed.map(\.lease), workerID: "w") == 2)
            for id in ids {
                let row = try await fixture.run(id)
                #expect(row.status == "queued" && row.attempt == 0 && row.lockedBy == nil && !row.runAtInFuture)
            }
            #expect(try await queue.claim(limit: 5, workerID: "w2", leaseSeconds: 30).map(\.attempt) == [1, 1])
        }
    }

    @Test func retentionDeletesOldFinishedRunsAndEventsOnly() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let job = try await fixture.createJob()
            let oldEvent = try await fixture.createEvent(ageDays: 10)
            let oldEventWithQueuedRun = try await fixture.createEvent(ageDays: 10)
            let recentEvent = try await fixture.createEvent(ageDays: 1)
            let oldFinished = try await fixture.enqueue(5, of: job, event: oldEvent)
            let queuedRun = try await fixture.enqueue(1, of: job, event: oldEventWithQueuedRun)[0]
            let recentFinished = try await fixture.enqueue(1, of: job, event: recentEvent)[0]
            try await pool.query(
                """
                UPDATE job_runs SET status = 'succeeded', finished_at = now() - interval '8 days'
                WHERE id = ANY($1)
                """, [oldFinished])
            try await pool.query(
                "UPDATE job_runs SET status = 'dead', finished_at = now() - interval '1 day' WHERE id = $1",
                [recentFinished])
            let queue = JobRunQueue(pool: pool)

            let result = try await queue.pruneFinished(olderThanDays: 7, batchSize: 2)
            #expect(result == JobRunQueue.PruneResult(runs: 5, events: 1))
            #expect(try await fixture.statusCounts() == ["queued": 1, "dead": 1])
            let events = try await pool.query("SELECT id FROM events ORDER BY id").map {
                try $0.decode(UUID.self, at: 0)
            }
            #expect(events == [oldEventWithQueuedRun, recentEvent])
            #expect(try await fixture.run(queuedRun).status == "queued")
        }
    }

    @Test func statisticsCountRunsByStatusPerProject() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let job = try await fixture.createJob()
            try await fixture.enqueue(3, of: job)
            let queue = JobRunQueue(pool: pool)
            _ = try await queue.claim(limit: 1, workerID: "w", leaseSeconds: 30)
            let statistics = try await queue.statistics()
            #expect(statistics.count == 1)
            let project = try #require(statistics.first)
            #expect(project.projectID == fixture.projectID && project.queued == 2 && project.running == 1)
            #expect(try #require(project.oldestQueuedAge) >= .milliseconds(900))
        }
    }
}
