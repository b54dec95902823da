import Foundation
import Inlet
import InletTestSupport
import Postgres
import Synchronization
import Testing

/// Ordering per key (issue 16) through the real `inlet-server` and `inlet-worker` processes and a real receiver:
/// runs of one job with one ordering key start one at a time in dispatch order, a failing head blocks only its
/// key, and cancelling or killing the head releases the next. Every event carries `{"key": …, "n": …}`; the tests
/// read the order and the overlaps the receiver saw, never timings.
@Suite(.serialized) struct OrderingEndToEndTests {
    /// A source `name` with one http job delivering to `hook`; returns the source and job ids.
    func sourceWithJob(
        _ stack: InletProcesses, key: String, name: String, hook: String, policy: JSONValue = ["delays_ms": [50]],
        maxAttempts: Int = 10
    ) async throws -> (source: String, job: String) {
        let source = try await stack.request(.POST, "/v1/event-sources", json: ["name": .string(name)], token: key)
        let sourceID = try #require(source["id"]?.stringValue)
        let job = try await stack.request(
            .POST, "/v1/jobs",
            json: [
                "name": .string("\(name)-job"), "kind": "http", "config": ["url": .string(hook)],
                "max_attempts": .int(Int64(maxAttempts)), "retry_policy": policy,
            ], token: key)
        let jobID = try #require(job["id"]?.stringValue, "\(String(describing: job.body))")
        _ = try await stack.request(
            .POST, "/v1/event-sources/\(sourceID)/subscribe",
            json: ["target_type": "job", "target_id": .string(jobID)],
            token: key)
        return (sourceID, jobID)
    }

    func dispatch(_ stack: InletProcesses, key: String, source: String, orderingKey: String?, n: Int) async throws {
        let payload: JSONValue = ["key": .string(orderingKey ?? "-"), "n": .int(Int64(n))]
        let body: JSONValue =
            orderingKey.map { ["source": .string(source), "payload": payload, "ordering_key": .string($0)] }
            ?? ["source": .string(source), "payload": payload]
        let reply = try await stack.request(.POST, "/v1/events/dispatch", json: body, token: key)
        #expect(reply["dispatched"] == 1, "\(String(describing: reply.body))")
    }

    /// The `(key, n)` of a delivered envelope.
    static func item(_ request: TestReceiver.Request) -> (key: String, n: Int) {
        let payload = (try? JSONValue(parsing: request.body))?["payload"]
        return (payload?["key"]?.stringValue ?? "?", Int(payload?["n"]?.numberValue?.int64 ?? -1))
    }

    /// For each key, the `n` of its deliveries in arrival order (successful or not).
    static func arrivals(_ receiver: TestReceiver) -> [String: [Int]] {
        var byKey: [String: [Int]] = [:]
        for request in receiver.requests {
            let item = item(request)
            byKey[item.key, default: []].append(item.n)
        }
        return byKey
    }

    /// Deliveries that arrived while another delivery of the same key was still being handled.
    static func sameKeyOverlaps(_ receiver: TestReceiver) -> [String] {
        let requests = receiver.requests
        let keys = requests.map { item($0).key }
        var overlaps: [String] = []
        for (index, inFlight) in receiver.inFlightAtArrival.enumerated() where keys[index] != "-" {
            if inFlight.contains(where: { keys[$0] == keys[index] }) { overlaps.append(keys[index]) }
        }
        return overlaps
    }

    func runs(_ stack: InletProcesses, key: String, job: String, status: String? = nil) async throws -> [JSONValue] {
        let query = status.map { "&status=\($0)" } ?? ""
        return try await stack.request(.GET, "/v1/runs?job_id=\(job)&limit=500\(query)", token: key).body?.arrayValue
            ?? []
    }

    @Test func runsOfOneKeyReachTheReceiverOneAtATimeInDispatchOrder() async throws {
        let receiver = TestReceiver { _ in TestReceiver.Reply(delay: .milliseconds(5)) }
        try await receiver.serve { hook in
            try await InletProcesses.withStack { stack, key, _ in
                let (_, job) = try await sourceWithJob(stack, key: key, name: "fifo", hook: hook)
                for n in 0..<10 {
                    for orderingKey in ["a", "b", "c", nil] {
                        try await dispatch(stack, key: key, source: "fifo", orderingKey: orderingKey, n: n)
                    }
                }
                try stack.startWorker("ordering-fifo", ["INLET_WORKER_CONCURRENCY": "16"])
                try await waitUntil { try await runs(stack, key: key, job: job, status: "succeeded").count == 40 }
                let byKey = Self.arrivals(receiver)
                for orderingKey in ["a", "b", "c"] { #expect(byKey[orderingKey] == Array(0..<10), "\(orderingKey)") }
                #expect(byKey["-"]?.sorted() == Array(0..<10))
                #expect(Self.sameKeyOverlaps(receiver) == [])
            }
        }
    }

    @Test func aFailingRunBlocksOnlyItsKeyUntilItSucceeds() async throws {
        let healthy = Atomic<Bool>(false)
        let receiver = TestReceiver { request, _ in
            Self.item(request).key == "bad" && !healthy.load(ordering: .relaxed)
                ? TestReceiver.Reply(status: 503) : TestReceiver.Reply()
        }
        try await receiver.serve { hook in
            try await InletProcesses.withStack { stack, key, _ in
                let (_, job) = try await sourceWithJob(stack, key: key, name: "blocking", hook: hook)
                for n in 0..<3 { try await dispatch(stack, key: key, source: "blocking", orderingKey: "bad", n: n) }
                for n in 0..<5 {
                    try await dispatch(stack, key: key, source: "blocking", orderingKey: "good", n: n)
                    try await dispatch(stack, key: key, source: "blocking", orderingKey: nil, n: n)
                }
                try stack.startWorker("ordering-blocking")
                try await waitUntil { try await runs(stack, key: key, job: job, status: "succeeded").count == 10 }
                // The head of "bad" has failed at least twice by now; the two behind it have never been sent.
                try await waitUntil { Self.arrivals(receiver)["bad"]?.count ?? 0 >= 2 }
                #expect(Set(Self.arrivals(receiver)["bad"] ?? []) == [0])
                let waiting = try await runs(stack, key: key, job: job, status: "queued,running").filter {
                    $0["ordering_key"] == "bad"
                }
                #expect(waiting.count == 3)
                #expect(waiting.filter { $0["ordering_blocked"] == true }.count == 2)
                #expect(
                    waiting.filter { $0["ordering_blocked"] == false }.allSatisfy {
                        $0["attempt"]?.numberValue?.int64 ?? 0 >= 1
                    })

                healthy.store(true, ordering: .relaxed)
                try await waitUntil { try await runs(stack, key: key, job: job, status: "succeeded").count == 13 }
                let bad = Self.arrivals(receiver)["bad"] ?? []
                #expect(bad.suffix(3) == [0, 1, 2])
                #expect(bad.dropLast(3).allSatisfy { $0 == 0 })
                #expect(Self.arrivals(receiver)["good"] == Array(0..<5))
            }
        }
    }

    @Test func aHeadThatDiesOrIsCancelledReleasesTheNext() async throws {
        // Until healed, the first run of each key fails: "dies" has 2 attempts; "stuck" waits a minute to retry.
        let healed = Mutex(false)
        let receiver = TestReceiver { request, _ in
            let item = Self.item(request)
            return TestReceiver.Reply(status: item.n == 0 && !healed.withLock { $0 } ? 503 : 200)
        }
        try await receiver.serve { hook in
            try await InletProcesses.withStack { stack, key, _ in
                let (_, dying) = try await sourceWithJob(stack, key: key, name: "dying", hook: hook, maxAttempts: 2)
                let (_, stuck) = try await sourceWithJob(
                    stack, key: key, name: "stuck", hook: hook, policy: ["delays_ms": [60000], "jitter": 0])
                for n in 0..<3 {
                    try await dispatch(stack, key: key, source: "dying", orderingKey: "dies", n: n)
                    try await dispatch(stack, key: key, source: "stuck", orderingKey: "stuck", n: n)
                }
                try stack.startWorker("ordering-release")
                try await waitUntil { try await runs(stack, key: key, job: dying, status: "succeeded").count == 2 }
                let dead = try await runs(stack, key: key, job: dying, status: "dead")
                #expect(dead.count == 1)
                #expect(Self.arrivals(receiver)["dies"] == [0, 0, 1, 2])

                // The stuck head waits for its retry, its key behind it; cancelling it releases the next.
                try await waitUntil {
                    try await runs(stack, key: key, job: stuck).contains {
                        $0["attempt"] == 1 && $0["status"] == "queued"
                    }
                }
                let all = try await runs(stack, key: key, job: stuck)
                #expect(all.filter { $0["ordering_blocked"] == true }.count == 2)
                let head = try #require(all.first { $0["attempt"] == 1 }?["id"]?.stringValue)
                let cancelled = try await stack.request(.POST, "/v1/runs/\(head)/cancel", json: [:], token: key)
                #expect(cancelled["status"] == "cancelled")
                try await waitUntil { try await runs(stack, key: key, job: stuck, status: "succeeded").count == 2 }
                #expect(Self.arrivals(receiver)["stuck"] == [0, 1, 2])

                // The dead run, retried, runs again (its key is free) and succeeds now.
                healed.withLock { $0 = true }
                let deadID = try #require(dead.first?["id"]?.stringValue)
                _ = try await stack.request(.POST, "/v1/runs/\(deadID)/retry", json: [:], token: key)
                try await waitUntil { try await runs(stack, key: key, job: dying, status: "succeeded").count == 3 }
            }
        }
    }

    @Test func threeWorkerProcessesNeverRunTwoRunsOfOneKeyAtOnce() async throws {
        let receiver = TestReceiver { _ in TestReceiver.Reply(delay: .milliseconds(3)) }
        try await receiver.serve { hook in
            try await InletProcesses.withStack { stack, key, pool in
                let (_, job) = try await sourceWithJob(stack, key: key, name: "many", hook: hook)
                let keys = (0..<12).map { "k\($0)" }
                for n in 0..<15 {
                    for orderingKey in keys {
                        try await dispatch(stack, key: key, source: "many", orderingKey: orderingKey, n: n)
                    }
                }
                for id in ["ordering-1", "ordering-2", "ordering-3"] {
                    try stack.startWorker(id, ["INLET_WORKER_CONCURRENCY": "8", "INLET_WORKER_BATCH_SIZE": "4"])
                }
                try await waitUntil { try await runs(stack, key: key, job: job, status: "succeeded").count == 180 }
                #expect(Self.sameKeyOverlaps(receiver) == [])
                let byKey = Self.arrivals(receiver)
                for orderingKey in keys { #expect(byKey[orderingKey] == Array(0..<15), "\(orderingKey)") }
                // The keys were spread over the workers.
                let workers = try await pool.query("SELECT count(DISTINCT worker) FROM run_attempts")
                #expect(try workers[0].decode(Int.self, at: 0) >= 2)
            }
        }
    }

    @Test func concurrentDispatchesOfOneKeyKeepEachClientsOrder() async throws {
        let receiver = TestReceiver()
        try await receiver.serve { hook in
            try await InletProcesses.withStack { stack, key, _ in
                let (_, job) = try await sourceWithJob(stack, key: key, name: "racing", hook: hook)
                try stack.startWorker("ordering-racing", ["INLET_WORKER_CONCURRENCY": "16"])
                // Eight clients, each sending its ten events one after another, all with the key "k": an event
                // whose dispatch was answered before the next was sent must run before it.
                try await withThrowingTaskGroup(of: Void.self) { clients in
                    for client in 0..<8 {
                        clients.addTask {
                            for n in 0..<10 {
                                let reply = try await stack.request(
                                    .POST, "/v1/events/dispatch",
                                    json: [
                                        "source": "racing", "ordering_key": "k",
                                        "payload": ["key": "k", "n": .int(Int64(client * 100 + n))],
                                    ], token: key)
                                #expect(reply["dispatched"] == 1)
                            }
                        }
                    }
                    try await clients.waitForAll()
                }
                try await waitUntil { try await runs(stack, key: key, job: job, status: "succeeded").count == 80 }
                let delivered = Self.arrivals(receiver)["k"] ?? []
                #expect(delivered.count == 80)
                for client in 0..<8 {
                    #expect(delivered.filter { $0 / 100 == client } == (0..<10).map { client * 100 + $0 })
                }
                #expect(Self.sameKeyOverlaps(receiver) == [])
            }
        }
    }
}
