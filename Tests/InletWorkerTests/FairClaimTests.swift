import Foundation
import Inlet
import InletStore
import InletTestSupport
import Postgres
import Testing

/// Issue 15 at the claim statement: weighted fair share across projects, per-job limits held by the database, and
/// job slots given back when a worker dies. Each test works in its own scratch database.
@Suite struct FairClaimTests {
    func claimedByProject(_ runs: [ClaimedRun]) -> [UUID: Int] {
        var counts: [UUID: Int] = [:]
        for run in runs { counts[run.projectID, default: 0] += 1 }
        return counts
    }

    @Test func weightsAreHonouredOverManyClaims() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let heavy = try await QueueFixture(pool: pool)
            let light = try await QueueFixture(pool: pool)
            try await pool.query("INSERT INTO project_limits (project_id, weight) VALUES ($1, 3)", [heavy.projectID])
            try await heavy.enqueue(3000, of: try await heavy.createJob())
            try await light.enqueue(3000, of: try await light.createJob())
            let queue = JobRunQueue(pool: pool)
            var counts: [UUID: Int] = [:]
            for claim in 0..<20 {
                let runs = try await queue.claim(limit: 100, workerID: "w\(claim % 3)", leaseSeconds: 30)
                #expect(runs.count == 100)
                counts.merge(claimedByProject(runs), uniquingKeysWith: +)
            }
            let share = Double(counts[heavy.projectID] ?? 0) / 2000
            #expect(abs(share - 0.75) <= 0.05, "weight 3 against 1 took \(share * 100) % of 2000 claims: \(counts)")
        }
    }

    @Test func aBurstDoesNotHoldBackAnotherProjectsRun() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let burst = try await QueueFixture(pool: pool)
            let other = try await QueueFixture(pool: pool)
            let burstJob = try await burst.createJob()
            let otherJob = try await other.createJob()
            try await burst.enqueue(5000, of: burstJob)
            let queue = JobRunQueue(pool: pool)
            for round in 0..<5 {
                // The burst keeps the queue's head; the other project's run, queued after all of it, is in the very
                // next claim.
                let id = try await other.enqueue(1, of: otherJob)[0]
                let runs = try await queue.claim(limit: 100, workerID: "w", leaseSeconds: 30)
                #expect(runs.contains { $0.runID == id }, "round \(round)")
                #expect(runs.count == 100)
                #expect(runs.filter { $0.projectID == burst.projectID }.count == 99)
            }
        }
    }

    @Test func oldestFirstWithinAProject() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let first = try await fixture.enqueue(3, of: try await fixture.createJob())
            let second = try await fixture.enqueue(3, of: try await fixture.createJob())
            try await pool.query(
                "UPDATE job_runs SET run_at = now() - interval '1 minute' WHERE id = ANY($1)", [second])
            let runs = try await JobRunQueue(pool: pool).claim(limit: 3, workerID: "w", leaseSeconds: 30)
            #expect(Set(runs.map(\.runID)) == Set(second))
            _ = first
        }
    }

    @Test func maxConcurrencyHoldsAndAKilledWorkersRescueGivesBackItsSlots() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let job = try await fixture.createJob()
            try await pool.query("UPDATE jobs SET max_concurrency = 2 WHERE id = $1", [job.id])
            try await fixture.enqueue(6, of: job)
            let queue = JobRunQueue(pool: pool)
            let taken = try await queue.claim(limit: 10, workerID: "killed", leaseSeconds: 30)
            #expect(taken.count == 2)
            #expect(try await queue.claim(limit: 10, workerID: "other", leaseSeconds: 30).isEmpty)
            // The worker is killed (-9): nothing completes; its leases expire and any worker rescues them.
            for run in taken { try await fixture.expireLease(run.runID) }
            #expect(try await queue.rescueExpiredLeases(limit: 10).count == 2)
            #expect(try await running(of: job.id, pool) == 0)
            let next = try await queue.claim(limit: 10, workerID: "other", leaseSeconds: 30)
            #expect(next.count == 2)
            // Completing frees the slots too; a graceful hand-back as well.
            let now = Date()
            try await queue.complete(
                [
                    RunCompletion(
                        lease: next[0].lease, outcome: .succeeded, startedAt: now, finishedAt: now,
                        durationMilliseconds: 1)
                ],
                workerID: "other")
            try await queue.release([next[1].lease], workerID: "other")
            #expect(try await running(of: job.id, pool) == 0)
            #expect(try await queue.resyncRunningCounts() == 0, "the counts were right")
            #expect(try await queue.claim(limit: 10, workerID: "other", leaseSeconds: 30).count == 2)
        }
    }

    @Test func aRateLimitHoldsBackRunsWithoutTakingThem() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let job = try await fixture.createJob()
            try await pool.query(
                """
                UPDATE jobs SET rate_per_second = 0.01, rate_burst = 3 WHERE id = $1;
                """, [job.id])
            try await pool.query("UPDATE job_claim_state SET tokens = 3, tokens_at = now() WHERE job_id = $1", [job.id])
            let ids = try await fixture.enqueue(10, of: job)
            let queue = JobRunQueue(pool: pool)
            #expect(try await queue.claim(limit: 10, workerID: "w", leaseSeconds: 30).count == 3)
            // 0.01 per second: the next token is 100 s away.
            #expect(try await queue.claim(limit: 10, workerID: "w", leaseSeconds: 30).isEmpty)
            var queued = 0
            for id in ids where try await fixture.run(id).status == "queued" { queued += 1 }
            #expect(queued == 7)
        }
    }

    @Test func anOpenCircuitHoldsRunsAndLetsOneProbeThrough() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let job = try await fixture.createJob()
            try await pool.query(
                "UPDATE jobs SET breaker_threshold = 2, breaker_probe_seconds = 1 WHERE id = $1", [job.id])
            try await fixture.enqueue(5, of: job, maxAttempts: 10)
            let queue = JobRunQueue(pool: pool)
            let first = try await queue.claim(limit: 2, workerID: "w", leaseSeconds: 30)
            let now = Date()
            let batch = try await queue.completeBatch(
                first.map {
                    RunCompletion(
                        lease: $0.lease, outcome: .failed, startedAt: now, finishedAt: now, durationMilliseconds: 1,
                        statusCode: 503, error: "HTTP 503")
                }, workerID: "w")
            #expect(batch.circuitChanges.map(\.to) == [.open])
            #expect(batch.circuitChanges.first?.lastError == "HTTP 503")
            #expect(try await queue.claim(limit: 10, workerID: "w", leaseSeconds: 30).isEmpty, "open: nothing starts")
            try await pool.query("UPDATE job_claim_state SET probe_at = now() WHERE job_id = $1", [job.id])
            let probe = try await queue.claim(limit: 10, workerID: "w", leaseSeconds: 30)
            #expect(probe.count == 1 && probe.first?.isCircuitProbe == true)
            #expect(try await queue.claim(limit: 10, workerID: "w", leaseSeconds: 30).isEmpty, "half-open: one probe")
            let closed = try await queue.completeBatch(
                [
                    RunCompletion(
                        lease: probe[0].lease, outcome: .succeeded, startedAt: now, finishedAt: now,
                        durationMilliseconds: 1)
                ],
                workerID: "w")
            #expect(closed.circuitChanges.map(\.to) == [.closed])
            #expect(try await queue.claim(limit: 10, workerID: "w", leaseSeconds: 30).count == 4)
        }
    }

    func running(of jobID: UUID, _ pool: PostgresPool) async throws -> Int {
        try await pool.query("SELECT running FROM job_claim_state WHERE job_id = $1", [jobID])[0].decode(
            Int.self, at: 0)
    }
}
