import Foundation
import Inlet
import InletTestSupport
import Postgres
import Testing

/// Two `inlet-server` processes on one database, as behind a load balancer: a change committed through one node
/// decides the very next answer of the other, refusals included, though both cache compiled routes.
@Suite(.serialized) struct TwoNodeConsistencyTests {
    /// Which node takes the changes and which one dispatches; every scenario runs in both directions.
    static let directions: [(change: Int, dispatch: Int)] = [(0, 1), (1, 0)]

    /// A stack with two server nodes and a project key.
    func withTwoNodes(_ body: (TwoNodes) async throws -> Void) async throws {
        try await InletProcesses.withStack { stack, key, _ in
            try await stack.startServer()
            try await body(TwoNodes(stack: stack, key: key))
        }
    }

    @Test(arguments: directions) func schemaChangesDecideTheOtherNodesNextAnswer(change: Int, dispatch: Int)
        async throws
    {
        try await withTwoNodes { nodes in
            let source = try await nodes.createSource("s", schema: ["type": "string"], node: change)
            _ = try await nodes.subscribeNewJob(source, node: change)
            // Warm the dispatching node's route: its cache holds the old schema from here on.
            #expect(try await nodes.dispatch("s", 42, node: dispatch).status == 422)
            // Loosening: the refusal decided on the cached schema must not stand.
            try await nodes.patchSource(source, ["schema": ["type": "number"]], node: change)
            let loosened = try await nodes.dispatch("s", 42, node: dispatch)
            #expect(loosened.status == 202)
            #expect(loosened["dispatched"] == 1)
            // Tightening: the cached schema that accepts must not let the payload through either.
            try await nodes.patchSource(source, ["schema": ["type": "string"]], node: change)
            #expect(try await nodes.dispatch("s", 42, node: dispatch).status == 422)
            #expect(try await nodes.dispatch("s", "text", node: dispatch).status == 202)
        }
    }

    @Test(arguments: directions) func enablingAndDisablingASourceIsSeenAtOnce(change: Int, dispatch: Int)
        async throws
    {
        try await withTwoNodes { nodes in
            let source = try await nodes.createSource("s", node: change)
            #expect(try await nodes.dispatch("s", [:], node: dispatch).status == 202)
            try await nodes.patchSource(source, ["enabled": false], node: change)
            #expect(try await nodes.dispatch("s", [:], node: dispatch).status == 409)
            try await nodes.patchSource(source, ["enabled": true], node: change)
            #expect(try await nodes.dispatch("s", [:], node: dispatch).status == 202)
            // Ingest and replay are judged the same way.
            try await nodes.patchSource(source, ["signature_scheme": "none"], node: change)
            let event = try await nodes.ingest(source, node: dispatch)
            #expect(event.status == 202)
            let eventID = try #require(event["event_id"]?.stringValue)
            try await nodes.patchSource(source, ["enabled": false], node: change)
            #expect(try await nodes.ingest(source, node: dispatch).status == 409)
            #expect(try await nodes.replay(eventID, node: dispatch).status == 409)
            try await nodes.patchSource(source, ["enabled": true], node: change)
            #expect(try await nodes.ingest(source, node: dispatch).status == 202)
            #expect(try await nodes.replay(eventID, node: dispatch).status == 202)
        }
    }

    @Test(arguments: directions) func signatureSettingsAndRotationAreSeenAtOnce(change: Int, dispatch: Int)
        async throws
    {
        try await withTwoNodes { nodes in
            let source = try await nodes.createSource("s", node: change)
            try await nodes.patchSource(source, ["signature_scheme": "none"], node: change)
            #expect(try await nodes.ingest(source, node: dispatch).status == 202)
            // Tightening: a scheme with a secret; an unsigned webhook is refused, a signed one accepted.
            let secret = "whsec_" + Data((0..<24).map { UInt8($0) }).base64EncodedString()
            try await nodes.patchSource(
                source, ["signature_scheme": "standard-webhooks", "signing_secret": .string(secret)], node: change)
            #expect(try await nodes.ingest(source, node: dispatch).status == 401)
            #expect(try await nodes.ingest(source, signedWith: secret, node: dispatch).status == 202)
            // Rotation: the new secret works at once through the other node (the old one during its grace).
            let rotated = try await nodes.stack.request(
                .POST, "/v1/event-sources/\(source)/rotate-secret", json: [:], token: nodes.key, node: change)
            let newSecret = try #require(rotated["signing_secret"]?.stringValue)
            #expect(try await nodes.ingest(source, signedWith: newSecret, node: dispatch).status == 202)
            #expect(try await nodes.ingest(source, signedWith: secret, node: dispatch).status == 202)
            // Loosening: back to an explicit opt-out.
            try await nodes.patchSource(source, ["signature_scheme": "none"], node: change)
            #expect(try await nodes.ingest(source, node: dispatch).status == 202)
        }
    }

    @Test(arguments: directions) func subscriptionChangesAreSeenAtOnce(change: Int, dispatch: Int) async throws {
        try await withTwoNodes { nodes in
            let source = try await nodes.createSource("s", node: change)
            #expect(try await nodes.dispatch("s", ["k": "a"], node: dispatch)["dispatched"] == 0)
            // Added.
            let (subscription, _) = try await nodes.subscribeNewJob(source, filter: ["k": ["a"]], node: change)
            #expect(try await nodes.dispatch("s", ["k": "a"], node: dispatch)["dispatched"] == 1)
            // Re-filtered away from the payload, then back.
            try await nodes.patchSubscription(source, subscription, ["filter_expr": ["k": ["b"]]], node: change)
            #expect(try await nodes.dispatch("s", ["k": "a"], node: dispatch)["dispatched"] == 0)
            try await nodes.patchSubscription(source, subscription, ["filter_expr": ["k": ["a"]]], node: change)
            #expect(try await nodes.dispatch("s", ["k": "a"], node: dispatch)["dispatched"] == 1)
            // Disabled, then enabled.
            try await nodes.patchSubscription(source, subscription, ["enabled": false], node: change)
            #expect(try await nodes.dispatch("s", ["k": "a"], node: dispatch)["dispatched"] == 0)
            try await nodes.patchSubscription(source, subscription, ["enabled": true], node: change)
            #expect(try await nodes.dispatch("s", ["k": "a"], node: dispatch)["dispatched"] == 1)
            // A replay matches the subscriptions of now, not of the event's time.
            let event = try await nodes.dispatch("s", ["k": "a"], node: dispatch)
            let eventID = try #require(event["event_id"]?.stringValue)
            try await nodes.patchSubscription(source, subscription, ["filter_expr": ["k": ["b"]]], node: change)
            #expect(try await nodes.replay(eventID, node: dispatch)["dispatched"] == 0)
            try await nodes.patchSubscription(source, subscription, ["filter_expr": [:]], node: change)
            #expect(try await nodes.replay(eventID, node: dispatch)["dispatched"] == 1)
            // Removed.
            let removed = try await nodes.stack.request(
                .DELETE, "/v1/event-sources/\(source)/subscriptions/\(subscription)", token: nodes.key, node: change)
            #expect(removed.status == 204)
            #expect(try await nodes.dispatch("s", ["k": "a"], node: dispatch)["dispatched"] == 0)
            #expect(try await nodes.replay(eventID, node: dispatch)["dispatched"] == 0)
        }
    }

    @Test(arguments: directions) func jobChangesAreSeenAtOnce(change: Int, dispatch: Int) async throws {
        try await withTwoNodes { nodes in
            let source = try await nodes.createSource("s", node: change)
            let (subscription, job) = try await nodes.subscribeNewJob(source, node: change)
            #expect(try await nodes.dispatch("s", [:], node: dispatch)["dispatched"] == 1)
            try await nodes.patchJob(job, ["enabled": false], node: change)
            #expect(try await nodes.dispatch("s", [:], node: dispatch)["dispatched"] == 0)
            try await nodes.patchJob(job, ["enabled": true, "max_attempts": 3], node: change)
            let event = try await nodes.dispatch("s", [:], node: dispatch)
            #expect(event["dispatched"] == 1)
            // The run carries the job's settings of now.
            let eventID = try #require(event["event_id"]?.stringValue)
            let runs = try await nodes.stack.request(.GET, "/v1/runs?event_id=\(eventID)", token: nodes.key)
            #expect(runs.body?.arrayValue?.first?["max_attempts"] == 3)
            // Deleted (after its subscription, which a job's deletion needs).
            _ = try await nodes.stack.request(
                .DELETE, "/v1/event-sources/\(source)/subscriptions/\(subscription)", token: nodes.key, node: change)
            let deleted = try await nodes.stack.request(.DELETE, "/v1/jobs/\(job)", token: nodes.key, node: change)
            #expect(deleted.status == 204)
            #expect(try await nodes.dispatch("s", [:], node: dispatch)["dispatched"] == 0)
        }
    }

    @Test(arguments: directions) func sourcesCreatedRenamedAndDeletedAreSeenAtOnce(change: Int, dispatch: Int)
        async throws
    {
        try await withTwoNodes { nodes in
            #expect(try await nodes.dispatch("s", [:], node: dispatch).status == 404)
            let first = try await nodes.createSource("s", node: change)
            #expect(try await nodes.dispatch("s", [:], node: dispatch).status == 202)
            // Renamed away, and another source takes the name: the name now means the other source.
            try await nodes.patchSource(first, ["name": "renamed"], node: change)
            #expect(try await nodes.dispatch("s", [:], node: dispatch).status == 404)
            let second = try await nodes.createSource("s", schema: ["type": "string"], node: change)
            #expect(try await nodes.dispatch("s", [:], node: dispatch).status == 422)
            #expect(try await nodes.dispatch("renamed", [:], node: dispatch).status == 202)
            // Deleted: by name and by id.
            let deleted = try await nodes.stack.request(
                .DELETE, "/v1/event-sources/\(second)", token: nodes.key, node: change)
            #expect(deleted.status == 204)
            #expect(try await nodes.dispatch("s", "text", node: dispatch).status == 404)
            #expect(try await nodes.dispatch(second, "text", node: dispatch).status == 404)
        }
    }

    /// Changes and dispatches interleaved at random through both nodes; every answer must be the one the current
    /// state gives, computed here from a model of that state.
    @Test func randomInterleavingsAgreeWithTheCurrentState() async throws {
        let seed = UInt64.random(in: 1...UInt64.max)
        var random = SeededGenerator(seed: seed)
        try await withTwoNodes { nodes in
            var model = SourceModel()
            let source = try await nodes.createSource("s", node: 0)
            var subscriptions: [(id: String, job: String)] = []
            for _ in 0..<2 {
                let (subscription, job) = try await nodes.subscribeNewJob(source, node: 0)
                subscriptions.append((subscription, job))
            }
            for step in 0..<120 {
                let node = Int.random(in: 0...1, using: &random)
                let context = Comment(rawValue: "seed \(seed), step \(step), node \(node), state \(model)")
                switch Int.random(in: 0..<10, using: &random) {
                case 0:
                    model.schema = Int.random(in: 0..<SourceModel.schemas.count, using: &random)
                    try await nodes.patchSource(source, ["schema": SourceModel.schemas[model.schema]], node: node)
                case 1:
                    model.sourceEnabled.toggle()
                    try await nodes.patchSource(source, ["enabled": .bool(model.sourceEnabled)], node: node)
                case 2:
                    let index = Int.random(in: 0..<2, using: &random)
                    model.filters[index] = Int.random(in: 0..<SourceModel.filters.count, using: &random)
                    try await nodes.patchSubscription(
                        source, subscriptions[index].id, ["filter_expr": SourceModel.filters[model.filters[index]]],
                        node: node)
                case 3:
                    let index = Int.random(in: 0..<2, using: &random)
                    model.subscriptionsEnabled[index].toggle()
                    try await nodes.patchSubscription(
                        source, subscriptions[index].id, ["enabled": .bool(model.subscriptionsEnabled[index])],
                        node: node)
                case 4:
                    let index = Int.random(in: 0..<2, using: &random)
                    model.jobsEnabled[index].toggle()
                    try await nodes.patchJob(
                        subscriptions[index].job, ["enabled": .bool(model.jobsEnabled[index])], node: node)
                default:
                    let payload = Int.random(in: 0..<SourceModel.payloads.count, using: &random)
                    let answer = try await nodes.dispatch("s", SourceModel.payloads[payload], node: node)
                    let expected = model.answer(payload: payload)
                    #expect(answer.status == expected.status, context)
                    if expected.status == 202 { #expect(answer["dispatched"] == .int(Int64(expected.runs)), context) }
                }
            }
        }
    }
}

/// What a source, its two subscriptions and their jobs are at a moment, and the dispatch answer that follows.
struct SourceModel: CustomStringConvertible {
    static let schemas: [JSONValue] = [
        [:], ["type": "object", "required": ["k"]], ["type": "object", "properties": ["k": ["enum": ["a"]]]],
    ]
    static let filters: [JSONValue] = [[:], ["k": ["a"]], ["k": ["b"]]]
    static let payloads: [JSONValue] = [["k": "a"], ["k": "b"], [:], 42]

    var schema = 0
    var sourceEnabled = true
    var filters = [0, 0]
    var subscriptionsEnabled = [true, true]
    var jobsEnabled = [true, true]

    func answer(payload: Int) -> (status: Int, runs: Int) {
        guard sourceEnabled else { return (409, 0) }
        guard Self.valid(payload: payload, schema: schema) else { return (422, 0) }
        let runs = (0..<2).filter { index in
            subscriptionsEnabled[index] && jobsEnabled[index] && Self.matches(payload: payload, filter: filters[index])
        }
        return (202, runs.count)
    }

    static func valid(payload: Int, schema: Int) -> Bool {
        switch (schema, payloads[payload]) {
        case (0, _): true
        case (1, let value): value["k"] != nil
        case (_, let value): value.objectValue != nil && (value["k"] == nil || value["k"] == "a")
        }
    }

    static func matches(payload: Int, filter: Int) -> Bool {
        switch filter {
        case 0: true
        case 1: payloads[payload]["k"] == "a"
        default: payloads[payload]["k"] == "b"
        }
    }

    var description: String {
        "schema \(schema), source enabled \(sourceEnabled), filters \(filters), subscriptions enabled "
            + "\(subscriptionsEnabled), jobs enabled \(jobsEnabled)"
    }
}

/// API calls of the two-node tests, each through a chosen node.
struct TwoNodes {
    let stack: InletProcesses
    let key: String

    func createSource(_ name: String, schema: JSONValue = [:], node: Int) async throws -> String {
        let created = try await stack.request(
            .POST, "/v1/event-sources", json: ["name": .string(name), "schema": schema], token: key, node: node)
        #expect(created.status == 201)
        return try #require(created["id"]?.stringValue)
    }

    /// A new noop job and a subscription of `source` to it: (subscription id, job id).
    func subscribeNewJob(_ source: String, filter: JSONValue = [:], node: Int) async throws -> (String, String) {
        let job = try await stack.request(
            .POST, "/v1/jobs", json: ["name": .string("job-\(UUID().uuidString)"), "kind": "noop"], token: key,
            node: node)
        let jobID = try #require(job["id"]?.stringValue)
        let subscription = try await stack.request(
            .POST, "/v1/event-sources/\(source)/subscribe",
            json: ["target_type": "job", "target_id": .string(jobID), "filter_expr": filter], token: key, node: node)
        #expect(subscription.status == 201)
        return (try #require(subscription["id"]?.stringValue), jobID)
    }

    func patchSource(_ source: String, _ patch: JSONValue, node: Int) async throws {
        let reply = try await stack.request(.PATCH, "/v1/event-sources/\(source)", json: patch, token: key, node: node)
        #expect(reply.status == 200, "PATCH source \(patch): \(reply.body.map { "\($0)" } ?? "")")
    }

    func patchSubscription(_ source: String, _ subscription: String, _ patch: JSONValue, node: Int) async throws {
        let reply = try await stack.request(
            .PATCH, "/v1/event-sources/\(source)/subscriptions/\(subscription)", json: patch, token: key, node: node)
        #expect(reply.status == 200, "PATCH subscription \(patch): \(reply.body.map { "\($0)" } ?? "")")
    }

    func patchJob(_ job: String, _ patch: JSONValue, node: Int) async throws {
        let reply = try await stack.request(.PATCH, "/v1/jobs/\(job)", json: patch, token: key, node: node)
        #expect(reply.status == 200, "PATCH job \(patch): \(reply.body.map { "\($0)" } ?? "")")
    }

    func dispatch(_ source: String, _ payload: JSONValue, node: Int) async throws -> InletProcesses.Reply {
        try await stack.request(
            .POST, "/v1/events/dispatch", json: ["source": .string(source), "payload": payload], token: key,
            node: node)
    }

    func replay(_ eventID: String, node: Int) async throws -> InletProcesses.Reply {
        try await stack.request(.POST, "/v1/events/\(eventID)/replay", token: key, node: node)
    }

    /// A webhook to the source's ingest URL, unsigned or signed with a Standard Webhooks secret.
    func ingest(_ source: String, signedWith secret: String? = nil, node: Int) async throws -> InletProcesses.Reply {
        let body = #"{"kind":"ping"}"#
        var headers: [String: String] = [:]
        if let secret {
            let signed = try StandardWebhooksSigner(secret: SigningSecret(secret)).sign(
                body: Array(body.utf8), messageID: "msg_\(UUID().uuidString)",
                timestamp: Int64(Date().timeIntervalSince1970))
            headers = [
                "webhook-id": signed.id, "webhook-timestamp": signed.timestamp, "webhook-signature": signed.signature,
            ]
        }
        return try await stack.request(
            .POST, "/v1/ingest/\(source)", rawBody: body, token: nil, headers: headers, node: node)
    }
}
