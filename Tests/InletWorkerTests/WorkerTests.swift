import Foundation
import Inlet
import InletStore
import InletTestSupport
import InletWorker
import Postgres
import ServiceLifecycle
import Testing

@Suite struct WorkerTests {
    @Test func aNoopRunSucceedsWithOneAttempt() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let id = try await fixture.enqueue(1, of: try await fixture.createJob())[0]
            let worker = Worker(
                queue: JobRunQueue(pool: pool), configuration: fixture.workerConfiguration(), logger: quietLogger())
            try await withServices([worker]) { _ in
                try await waitUntil { try await fixture.run(id).status == "succeeded" }
            }
            let attempts = try await fixture.attempts(id)
            #expect(attempts.map(\.outcome) == ["succeeded"])
            #expect(attempts.first?.worker == "test-worker")
        }
    }

    @Test func drainsFiveHundredNoopRunsEachExactlyOnce() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            try await fixture.enqueue(500, of: try await fixture.createJob())
            let worker = Worker(
                queue: JobRunQueue(pool: pool), configuration: fixture.workerConfiguration(), logger: quietLogger())
            try await withServices([worker]) { _ in
                try await waitUntil { try await fixture.statusCounts() == ["succeeded": 500] }
            }
            let attempts = try await pool.query(
                "SELECT count(*), count(DISTINCT run_id), max(attempt) FROM run_attempts")
            #expect(try attempts[0].decode(Int.self, at: 0) == 500)
            #expect(try attempts[0].decode(Int.self, at: 1) == 500)
            #expect(try attempts[0].decode(Int.self, at: 2) == 1)
        }
    }

    @Test func twoWorkersNeverExecuteARunTwice() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let job = try await fixture.createJob(kind: "record", config: #"{"ms":2}"#)
            let ids = try await fixture.enqueue(2000, of: job)
            let handler = RecordingHandler()
            var handlers = JobHandlerRegistry()
            handlers.register(handler, for: JobKind(rawValue: "record"))
            let workers = ["one", "two"].map { id in
                Worker(
                    queue: JobRunQueue(pool: pool),
                    configuration: fixture.workerConfiguration(id: id) {
                        $0.concurrency = 16; $0.batchSize = 10
                    },
                    handlers: handlers, logger: quietLogger())
            }
            try await withServices(workers) { _ in
                // Correctness, not speed: generous for a loaded CI machine (a quiet one takes well under a second).
                try await waitUntil { try await fixture.statusCounts() == ["succeeded": 2000] }
            }
            let executed = handler.executions.all
            #expect(executed.count == 2000)
            #expect(Set(executed.map(\.runID)) == Set(ids))
            let byWorker = try await pool.query("SELECT worker, count(*) FROM run_attempts GROUP BY worker")
            #expect(byWorker.count == 2, "both workers took part")
        }
    }

    @Test func aNotifyWakesAnIdleWorkerAtOnce() async throws {
        try await TestDatabase.withScratchDatabase { pool, database in
            let fixture = try await QueueFixture(pool: pool)
            let job = try await fixture.createJob()
            let first = try await fixture.enqueue(1, of: job)[0]
            let listener = PostgresListener(
                configuration: database, channels: [Worker.wakeChannel], logger: quietLogger("listener"))
            // Polling is every 10 minutes here: a run picked up within 5 minutes was picked up by the wake-up (the
            // bound is that loose because on a loaded machine the test's own task can wait long for a thread).
            let worker = Worker(
                queue: JobRunQueue(pool: pool),
                configuration: fixture.workerConfiguration { $0.pollInterval = .seconds(600) },
                listener: listener, logger: quietLogger())
            try await withServices([listener, worker]) { _ in
                try await waitUntil { listener.connectionCount == 1 }
                // The first run is claimed at start; once it is recorded, the worker is idle until woken.
                try await waitUntil { try await fixture.run(first).status == "succeeded" }
                let id = try await fixture.enqueue(1, of: job)[0]
                let notified = ContinuousClock.now
                try await pool.query("NOTIFY inlet_runs")
                try await waitUntil(timeout: .seconds(300)) { try await fixture.run(id).status == "succeeded" }
                let elapsed = notified.duration(to: .now)
                print("worker: picked up \(elapsed) after the NOTIFY")
                #expect(elapsed < .seconds(300), "picked up \(elapsed) after the NOTIFY")
            }
        }
    }

    /// A run still executing when the grace period ends is cancelled and handed back without using its attempt.
    /// (A run that ends within the grace period is recorded as usual: see the next test, whose run in flight ends
    /// after shutdown began.)
    @Test func gracefulShutdownCancelsAndHandsBackARunThatOutlastsTheGracePeriod() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let slow = try await fixture.enqueue(
                1, of: try await fixture.createJob(kind: "gated", config: #"{"gate":"never"}"#))[0]
            let handler = GatedHandler()
            var handlers = JobHandlerRegistry()
            handlers.register(handler, for: JobKind(rawValue: "gated"))
            let worker = Worker(
                queue: JobRunQueue(pool: pool),
                configuration: fixture.workerConfiguration { $0.shutdownGrace = .seconds(1) },
                handlers: handlers, logger: quietLogger())
            try await withServices([worker]) { _ in
                try await waitUntil { worker.executingCount == 1 }
            }
            // Its gate never opens: it ended because the worker cancelled it (else it would have run into the
            // handler's two-minute safety limit, and shutdown would have waited for it).
            #expect(handler.ending(of: slow) == .cancelled)
            let handedBack = try await fixture.run(slow)
            #expect(handedBack.status == "queued" && handedBack.attempt == 0 && handedBack.lockedBy == nil)
            #expect(try await fixture.attempts(slow).isEmpty)
        }
    }

    /// Runs claimed but waiting for a slot go back to the queue as soon as shutdown begins, while the run in flight
    /// finishes within the grace period and is recorded.
    @Test func runsWaitingForASlotAreHandedBackAtOnceOnShutdown() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let ids = try await fixture.enqueue(
                3, of: try await fixture.createJob(kind: "gated", config: #"{"gate":"first"}"#))
            let handler = GatedHandler()
            var handlers = JobHandlerRegistry()
            handlers.register(handler, for: JobKind(rawValue: "gated"))
            // A grace period far longer than the test: the run in flight ends when the test opens its gate.
            let worker = Worker(
                queue: JobRunQueue(pool: pool),
                configuration: fixture.workerConfiguration {
                    $0.concurrency = 1
                    $0.shutdownGrace = .seconds(120)
                },
                handlers: handlers, logger: quietLogger())
            try await withServices([worker]) { group in
                // All three were claimed in one batch: one executes (held at its gate), two wait for the slot.
                try await waitUntil { handler.started.all.count == 1 && worker.waitingCount == 2 }
                await group.triggerGracefulShutdown()
                // Handed back while the first run is still executing, not after it.
                try await waitUntil { try await fixture.statusCounts() == ["running": 1, "queued": 2] }
                handler.open("first")
            }
            #expect(handler.started.all.count == 1)
            var statuses: [String: Int] = [:]
            for id in ids {
                let run = try await fixture.run(id)
                statuses[run.status, default: 0] += 1
                #expect(run.status == "succeeded" ? run.attempt == 1 : run.attempt == 0 && run.lockedBy == nil)
            }
            #expect(statuses == ["succeeded": 1, "queued": 2])
        }
    }

    @Test func aRunWhoseWorkerDiedIsRescuedAndCompleted() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let id = try await fixture.enqueue(1, of: try await fixture.createJob())[0]
            _ = try await JobRunQueue(pool: pool).claim(limit: 1, workerID: "dead-worker", leaseSeconds: 30)
            try await fixture.expireLease(id)
            let worker = Worker(
                queue: JobRunQueue(pool: pool), configuration: fixture.workerConfiguration(), logger: quietLogger())
            try await withServices([worker]) { _ in
                try await waitUntil { try await fixture.run(id).status == "succeeded" }
            }
            let attempts = try await fixture.attempts(id)
            #expect(attempts.map(\.outcome) == ["lease_expired", "succeeded"])
            #expect(attempts.map(\.worker) == ["dead-worker", "test-worker"])
        }
    }

    @Test func theRetentionServicePrunesAtStartAndStopsOnShutdown() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let job = try await fixture.createJob()
            let old = try await fixture.enqueue(3, of: job, event: try await fixture.createEvent(ageDays: 30))
            let recent = try await fixture.enqueue(1, of: job)[0]
            try await pool.query(
                "UPDATE job_runs SET status = 'succeeded', finished_at = now() - interval '20 days' WHERE id = ANY($1)",
                [old])
            let retention = RetentionService(
                queue: JobRunQueue(pool: pool), retentionDays: 7, batchSize: 2, logger: quietLogger())
            try await withServices([retention]) { _ in
                try await waitUntil { try await fixture.statusCounts() == ["queued": 1] }
                try await waitUntil { try await pool.query("SELECT 1 FROM events").count == 1 }
            }
            #expect(try await fixture.run(recent).status == "queued")
        }
    }

    @Test func aKindWithoutAHandlerFailsTheAttemptWithAClearError() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let id = try await fixture.enqueue(1, of: try await fixture.createJob(kind: "mystery"), maxAttempts: 1)[0]
            let worker = Worker(
                queue: JobRunQueue(pool: pool), configuration: fixture.workerConfiguration(), logger: quietLogger())
            try await withServices([worker]) { _ in
                try await waitUntil { try await fixture.run(id).status == "dead" }
            }
            let error = try #require(try await fixture.attempts(id).first?.error)
            #expect(error.contains("no handler for job kind \"mystery\""))
        }
    }
}
