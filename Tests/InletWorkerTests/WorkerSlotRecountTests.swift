import Foundation
import Inlet
import InletStore
import InletTestSupport
import InletWorker
import Logging
import Postgres
import Synchronization
import Testing

/// The completion's second statement (job slots and failure counts) failing for real: a trigger raises on the first
/// update by that statement (the one whose text names `circuit_changes`) that lowers a job's slot count. A sweep of
/// pending returns by the rescue pass lowers counts too, and must not be the one to fail.
@Suite struct WorkerSlotRecountTests {
    static func failFirstSlotReturn(_ pool: PostgresPool) async throws {
        try await pool.query("CREATE SEQUENCE slot_return_failures")
        try await pool.query(
            """
            CREATE FUNCTION fail_first_slot_return() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.running < OLD.running AND current_query() LIKE '%circuit_changes%'
                   AND nextval('slot_return_failures') = 1 THEN
                    RAISE EXCEPTION 'injected failure of the slot return';
                END IF;
                RETURN NEW;
            END $$
            """)
        try await pool.query(
            """
            CREATE TRIGGER fail_first_slot_return BEFORE UPDATE ON job_claim_state
            FOR EACH ROW EXECUTE FUNCTION fail_first_slot_return()
            """)
    }

    static func failureWasInjected(_ pool: PostgresPool) async throws -> Bool {
        try await pool.query("SELECT is_called FROM slot_return_failures")[0].decode(Bool.self, at: 0)
    }

    static func running(of jobID: UUID, _ pool: PostgresPool) async throws -> Int {
        try await pool.query("SELECT running FROM job_claim_state WHERE job_id = $1", [jobID])[0].decode(
            Int.self, at: 0)
    }

    @Test func theAttemptStaysRecordedAndTheBatchReportsTheFailure() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let job = try await fixture.createJob()
            try await pool.query("UPDATE jobs SET max_concurrency = 1 WHERE id = $1", [job.id])
            let ids = try await fixture.enqueue(2, of: job)
            try await Self.failFirstSlotReturn(pool)
            let queue = JobRunQueue(pool: pool)
            let claimed = try await queue.claim(limit: 10, workerID: "w", leaseSeconds: 30)
            #expect(claimed.count == 1, "max_concurrency 1")
            let now = Date()
            let batch = try await queue.completeBatch(
                claimed.map {
                    RunCompletion(
                        lease: $0.lease, outcome: .succeeded, startedAt: now, finishedAt: now, durationMilliseconds: 1)
                }, workerID: "w")
            #expect(try await Self.failureWasInjected(pool))
            #expect(batch.ended.map(\.lease) == claimed.map(\.lease), "the first statement's effects stand")
            #expect(batch.jobStateError != nil)
            #expect(try await fixture.run(claimed[0].runID).status == "succeeded")
            #expect(try await fixture.attempts(claimed[0].runID).map(\.outcome) == ["succeeded"])
            #expect(try await Self.running(of: job.id, pool) == 1, "the slot was not given back")
            #expect(try await queue.claim(limit: 10, workerID: "w", leaseSeconds: 30).isEmpty)
            #expect(try await queue.resyncRunningCounts() == 0, "a pending return still holds the slot")
            #expect(try await queue.claim(limit: 10, workerID: "w", leaseSeconds: 30).isEmpty)
            #expect(try await queue.returnPendingSlots() == 1)
            #expect(try await queue.returnPendingSlots() == 0, "a slot is given back once")
            #expect(try await Self.running(of: job.id, pool) == 0)
            #expect(try await queue.claim(limit: 10, workerID: "w", leaseSeconds: 30).count == 1)
            _ = ids
        }
    }

    /// The worker gives the slots back itself when a completion could not (its log line says so; the rescue pass,
    /// ten seconds away with a 60 s lease, does it under another message), and goes on draining the job, one run at
    /// a time.
    @Test func theWorkerRecountsTheSlotsAndGoesOn() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let job = try await fixture.createJob()
            try await pool.query("UPDATE jobs SET max_concurrency = 1 WHERE id = $1", [job.id])
            let ids = try await fixture.enqueue(5, of: job)
            try await Self.failFirstSlotReturn(pool)
            let messages = RecordedMessages()
            let worker = Worker(
                queue: JobRunQueue(pool: pool), configuration: fixture.workerConfiguration { $0.leaseSeconds = 60 },
                logger: Logger(label: "recount") { _ in RecordingLogHandler(recorded: messages) })
            try await withServices([worker]) { _ in
                try await waitUntil(timeout: .seconds(60)) { try await fixture.statusCounts() == ["succeeded": 5] }
            }
            #expect(try await Self.failureWasInjected(pool))
            let logged = messages.all
            #expect(logged.contains { $0.hasPrefix("recorded attempts but could not give back their job slots") })
            #expect(logged.contains("gave back pending job slots"), "\(logged)")
            for id in ids { #expect(try await fixture.attempts(id).map(\.outcome) == ["succeeded"]) }
            #expect(try await Self.running(of: job.id, pool) == 0)
        }
    }
}

/// The messages a logger was given, for tests that check what a component reported.
final class RecordedMessages: Sendable {
    private let messages = Mutex<[String]>([])
    var all: [String] { messages.withLock { $0 } }
    func append(_ message: String) { messages.withLock { $0.append(message) } }
}

struct RecordingLogHandler: LogHandler {
    let recorded: RecordedMessages
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) { recorded.append(event.message.description) }
}
