import Foundation
import Inlet
import InletTestSupport
import Postgres
import Testing

/// One trace from the producer to the receiver across both real processes, exported over OTLP/HTTP to a collector
/// the test runs; and, with tracing off, the producer's `traceparent` still reaching the receiver.
@Suite(.serialized) struct TracingEndToEndTests {
    static func randomHex(bytes: Int) -> String {
        (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    /// Creates a source with a schema, an `http` job delivering to `hook`, and the subscription between them.
    static func deliverOrders(to hook: String, stack: InletProcesses, key: String) async throws {
        let source = try await stack.request(
            .POST, "/v1/event-sources",
            json: ["name": "orders", "schema": ["type": "object", "required": ["n"]]], token: key)
        let job = try await stack.request(
            .POST, "/v1/jobs", json: ["name": "deliver", "kind": "http", "config": ["url": .string(hook)]], token: key)
        let subscription = try await stack.request(
            .POST, "/v1/event-sources/\(try #require(source["id"]?.stringValue))/subscribe",
            json: [
                "target_type": "job", "target_id": try #require(job["id"]),
                "filter_expr": ["n": [["numeric": [">", 0]]]],
            ],
            token: key)
        #expect(subscription.status == 201, "\(subscription)")
    }

    @Test func oneTraceGoesFromTheProducerThroughBothProcessesToTheReceiver() async throws {
        let collector = OTLPCollector()
        try await collector.serve { endpoint in
            let receiver = TestReceiver()
            try await receiver.serve { hook in
                try await InletProcesses.withStack({
                    $0.logLevel = "info"
                    $0.extraEnvironment = [
                        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
                        "OTEL_BSP_SCHEDULE_DELAY": "100",
                    ]
                }) { stack, key, _ in
                    try await Self.deliverOrders(to: hook, stack: stack, key: key)
                    try stack.startWorker("traced")
                    let traceID = Self.randomHex(bytes: 16)
                    let producerSpan = Self.randomHex(bytes: 8)
                    let dispatched = try await stack.request(
                        .POST, "/v1/events/dispatch", json: ["source": "orders", "payload": ["n": 1]], token: key,
                        headers: ["traceparent": "00-\(traceID)-\(producerSpan)-01"])
                    #expect(dispatched.status == 202, "\(dispatched)")
                    let eventID = try #require(dispatched["event_id"]?.stringValue)
                    try await waitUntil("the receiver got the delivery") { receiver.requests.count == 1 }

                    // The delivery carries the trace, its parent being the worker's request span.
                    let delivered = try #require(receiver.requests[0].headers["traceparent"])
                    let fields = delivered.split(separator: "-").map(String.init)
                    #expect(fields.count == 4 && fields[0] == "00" && fields[3] == "01", "\(delivered)")
                    #expect(fields[1] == traceID, "the receiver continues the producer's trace: \(delivered)")
                    let deliverySpanID = fields[2]

                    var trace: [OTLPCollector.Span] = []
                    try await waitUntil("both processes exported the trace") {
                        trace = collector.spans.filter { $0.traceID == traceID }
                        return trace.contains { $0.spanID == deliverySpanID }
                            && trace.contains { $0.service == "inlet-server" && $0.kind == 2 }
                            && trace.contains { $0.service == "inlet-worker" && $0.name == "run http" }
                    }
                    func only(_ description: String, _ where: (OTLPCollector.Span) -> Bool) throws -> OTLPCollector.Span
                    {
                        let found = trace.filter(`where`)
                        #expect(found.count == 1, "one \(description) span in \(trace)")
                        return try #require(found.first, "\(description) in \(trace)")
                    }
                    let request = try only("server request") { $0.service == "inlet-server" && $0.kind == 2 }
                    #expect(request.parentSpanID == producerSpan, "the request continues the producer's span")
                    #expect(request.name == "/v1/events/dispatch")
                    #expect(request.attributes["http.request.method"] == "POST")
                    #expect(request.attributes["http.response.status_code"] == "202")
                    let dispatch = try only("dispatch") { $0.name == "dispatch" }
                    #expect(dispatch.parentSpanID == request.spanID)
                    #expect(dispatch.attributes["inlet.event_id"] == eventID)
                    #expect(dispatch.attributes["inlet.runs"] == "1")
                    let validate = try only("validate") { $0.name == "validate" }
                    #expect(validate.parentSpanID == dispatch.spanID)
                    let match = try only("match") { $0.name == "match" }
                    #expect(match.parentSpanID == dispatch.spanID)
                    #expect(match.attributes["inlet.matched"] == "1")
                    let insert = trace.filter {
                        $0.service == "inlet-server" && $0.kind == 3 && $0.attributes["db.system.name"] == "postgresql"
                            && ($0.attributes["db.query.text"] ?? "").contains("INSERT INTO events")
                    }
                    let insertSpan = try only("insert") { $0.name == "insert" }
                    #expect(insertSpan.parentSpanID == dispatch.spanID)
                    #expect(insert.count == 1 && insert.first?.parentSpanID == insertSpan.spanID, "\(trace)")
                    #expect(insert.first?.name == "WITH")

                    // The worker's run continues the dispatch (its stored trace context); the delivery is its child.
                    let run = try only("run") { $0.service == "inlet-worker" && $0.name == "run http" }
                    #expect(run.kind == 5)
                    #expect(run.parentSpanID == dispatch.spanID, "the run continues the dispatch")
                    #expect(run.attributes["inlet.event_id"] == eventID)
                    #expect(run.attributes["inlet.attempt"] == "1")
                    #expect(run.attributes["inlet.outcome"] == "succeeded")
                    let delivery = try only("delivery") { $0.spanID == deliverySpanID }
                    #expect(delivery.service == "inlet-worker" && delivery.kind == 3)
                    #expect(delivery.parentSpanID == run.spanID)
                    #expect(delivery.attributes["http.status_code"] == "200")

                    // The claim is traced as the worker's own root span, and log lines carry the trace id.
                    #expect(collector.spans.contains { $0.service == "inlet-worker" && $0.name == "claim" })
                    try await waitUntil("the worker logged the attempt with its trace id") {
                        stack.log("worker-traced").split(separator: "\n").contains {
                            $0.contains("attempt succeeded") && $0.contains("trace_id=\(traceID)")
                        }
                    }
                    #expect(
                        stack.log("server").split(separator: "\n").contains {
                            $0.contains("/v1/events/dispatch") && $0.contains("trace_id=\(traceID)")
                        })
                }
            }
        }
    }

    /// Without an `OTEL_*` setting nothing is exported, and the producer's `traceparent` is stored and sent on to
    /// the receiver as it came; an invalid one is dropped.
    @Test func withTracingOffTheProducersTraceparentReachesTheReceiverUnchanged() async throws {
        let receiver = TestReceiver()
        try await receiver.serve { hook in
            try await InletProcesses.withStack { stack, key, pool in
                try await Self.deliverOrders(to: hook, stack: stack, key: key)
                try stack.startWorker("untraced")
                let traceparent = "00-\(Self.randomHex(bytes: 16))-\(Self.randomHex(bytes: 8))-01"
                let first = try await stack.request(
                    .POST, "/v1/events/dispatch", json: ["source": "orders", "payload": ["n": 1]], token: key,
                    headers: ["traceparent": traceparent])
                #expect(first.status == 202)
                try await waitUntil("the receiver got the delivery") { receiver.requests.count == 1 }
                #expect(receiver.requests[0].headers["traceparent"] == traceparent)
                let stored = try await pool.query(
                    "SELECT traceparent FROM events WHERE id = $1",
                    [UUID(uuidString: try #require(first["event_id"]?.stringValue))!])
                #expect(try stored[0].decode(String?.self, at: 0) == traceparent)

                let second = try await stack.request(
                    .POST, "/v1/events/dispatch", json: ["source": "orders", "payload": ["n": 2]], token: key,
                    headers: ["traceparent": "00-\(String(repeating: "0", count: 32))-\(Self.randomHex(bytes: 8))-01"])
                #expect(second.status == 202)
                try await waitUntil("the receiver got the second delivery") { receiver.requests.count == 2 }
                #expect(receiver.requests[1].headers["traceparent"] == nil, "an all-zero trace id is not a trace")
                let runs = try await pool.query("SELECT count(*) FROM job_runs WHERE traceparent IS NOT NULL")
                #expect(try runs[0].decode(Int.self, at: 0) == 1)
            }
        }
    }
}
