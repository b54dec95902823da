import Foundation
import InletClient
import OpenAPIRuntime
import Testing

/// The main flows of the API driven only through the client generated from the committed `openapi.json`, against
/// the real `inlet-server` and `inlet-worker`: a document that disagrees with the server breaks these tests.
@Suite(.serialized) struct ClientEndToEndTests {
    @Test func sourcesJobsSubscriptionsDispatchAndARunThatSucceeds() async throws {
        let receiver = HookReceiver()
        try await receiver.serve { hook in
            try await InletStack.with(worker: true) { stack in
                let client = stack.client()
                let source = try await client.createEventSource(
                    body: .json(
                        .init(
                            name: "orders", description: "shop orders",
                            schema: try json(#"{"type": "object", "required": ["type"]}"#)))
                ).created.body.json
                #expect(source.name == "orders")
                let job = try await client.createJob(
                    body: .json(.init(name: "hook", config: try json(#"{"url": "\#(hook)"}"#), kind: "http"))
                ).created.body.json
                #expect(job.signingSecret.hasPrefix("whsec_"))
                let subscription = try await client.subscribe(
                    path: .init(id: source.id),
                    body: .json(
                        .init(
                            targetType: .job, targetId: job.id, filterExpr: try json(#"{"type": ["order.created"]}"#)))
                ).created.body.json
                #expect(subscription.targetId == job.id)

                // Reading them back, one and all.
                #expect(try await client.listEventSources().ok.body.json.map(\.id) == [source.id])
                #expect(
                    try await client.getEventSource(path: .init(id: source.id)).ok.body.json.schema == source.schema)
                #expect(try await client.listJobs().ok.body.json.map(\.id) == [job.id])
                let readJob = try await client.getJob(path: .init(id: job.id)).ok.body.json
                #expect(readJob.kind == "http" && readJob.maxAttempts == 10 && readJob.circuit.state == .closed)
                #expect(
                    try await client.listSubscriptions(path: .init(id: source.id)).ok.body.json.map(\.id)
                        == [subscription.id])
                #expect(
                    try await client.getSubscription(path: .init(id: source.id, subscriptionId: subscription.id)).ok
                        .body.json.filterExpr == subscription.filterExpr)

                // Dispatch: a matching event makes a run, a repeat is a duplicate, another type matches nothing.
                let dispatched = try await client.dispatchEvent(
                    body: .json(
                        .init(
                            source: "orders", payload: try json(#"{"type": "order.created", "n": 1}"#),
                            idempotencyKey: "order-1"))
                ).accepted.body.json
                #expect(dispatched.dispatched == 1 && !dispatched.duplicate)
                let repeated = try await client.dispatchEvent(
                    body: .json(
                        .init(
                            source: "orders", payload: try json(#"{"type": "order.created", "n": 1}"#),
                            idempotencyKey: "order-1"))
                ).accepted.body.json
                #expect(repeated.duplicate && repeated.eventId == dispatched.eventId)
                let unmatched = try await client.dispatchEvent(
                    body: .json(
                        .init(
                            source: source.id,
                            payload: try OpenAPIValueContainer(unvalidatedValue: ["type": "order.paid"])))
                ).accepted.body.json
                #expect(unmatched.dispatched == 0)

                let events = try await client.listEvents(query: .init(source: "orders")).ok.body.json
                #expect(events.map(\.id) == [unmatched.eventId, dispatched.eventId])
                let event = try await client.getEvent(path: .init(id: dispatched.eventId)).ok.body.json
                let payload: OpenAPIValueContainer = try json(#"{"type": "order.created", "n": 1}"#)
                #expect(event.payload == payload)
                #expect(event.idempotencyKey == "order-1" && event.via == .api && event.dispatched == 1)

                // The worker delivers the run to the receiver.
                let runID = try #require(
                    try await client.listRuns(query: .init(eventId: dispatched.eventId)).ok.body.json.first?.id)
                try await waitUntil("the run succeeded") {
                    try await client.getRun(path: .init(id: runID)).ok.body.json.status == .succeeded
                }
                let run = try await client.getRun(path: .init(id: runID)).ok.body.json
                #expect(run.jobId == job.id && run.subscriptionId == subscription.id && run.finishedAt != nil)
                let attempt = try #require(run.attempts?.first)
                #expect(run.attempts?.count == 1)
                #expect(attempt.outcome == .succeeded && attempt.statusCode == 200)
                #expect(receiver.deliveries == 1)
                #expect(
                    try await client.listRuns(query: .init(status: "succeeded", jobId: job.id)).ok.body.json.map(\.id)
                        == [runID])

                // Replay: the source's current subscriptions match again, and the run is delivered again.
                let dryRun = try await client.replayEvent(
                    path: .init(id: dispatched.eventId), query: .init(dryRun: true))
                #expect(try dryRun.ok.body.json.matches.map(\.jobId) == [job.id])
                let replay = try await client.replayEvent(path: .init(id: dispatched.eventId))
                let replayed: Components.Schemas.ReplayResult
                switch replay {
                case .ok(let ok): replayed = try ok.body.json
                case .accepted(let accepted): replayed = try accepted.body.json
                default: throw StackError("replay answered \(replay)")
                }
                #expect(replayed.dispatched == 1 && !replayed.dryRun)
                try await waitUntil("the replayed run succeeded") {
                    let runs = try await client.listRuns(query: .init(eventId: dispatched.eventId)).ok.body.json
                    return runs.count == 2 && runs.allSatisfy { $0.status == .succeeded }
                }
                #expect(receiver.deliveries == 2)
            }
        }
    }

    @Test func cancelRetryAndADeadRunRetried() async throws {
        // The first delivery fails; later ones succeed.
        let receiver = HookReceiver { index in index == 0 ? 500 : 200 }
        try await receiver.serve { hook in
            try await InletStack.with { stack in
                let client = stack.client()
                let source = try await client.createEventSource(body: .json(.init(name: "flaky"))).created.body.json
                let job = try await client.createJob(
                    body: .json(
                        .init(
                            name: "flaky", config: try json(#"{"url": "\#(hook)"}"#), maxAttempts: 1,
                            retryPolicy: .init(delaysMs: [100], maxAgeMs: 60_000), kind: "http"))
                ).created.body.json
                // The client can set a retry policy (a property the generator once dropped from JobCreate).
                #expect(job.retryPolicy.delaysMs == [100])
                #expect(job.retryPolicy.maxAgeMs == 60_000)
                _ = try await client.subscribe(
                    path: .init(id: source.id), body: .json(.init(targetType: .job, targetId: job.id))
                ).created
                let event = try await client.dispatchEvent(body: .json(.init(source: "flaky"))).accepted.body.json
                let runID = try #require(
                    try await client.listRuns(query: .init(eventId: event.eventId)).ok.body.json.first?.id)

                // No worker yet: the run stays queued, so it can be cancelled, once.
                #expect(try await client.cancelRun(path: .init(id: runID)).ok.body.json.status == .cancelled)
                guard case .conflict(let conflict) = try await client.cancelRun(path: .init(id: runID)) else {
                    Issue.record("a second cancel was not a 409")
                    return
                }
                #expect(try conflict.body.json.error.code == "conflict")
                #expect(try await client.retryRun(path: .init(id: runID)).ok.body.json.status == .queued)

                // With a worker: the one attempt fails, the run is dead; retried, it succeeds.
                try stack.startWorker()
                try await waitUntil("the run died") {
                    try await client.getRun(path: .init(id: runID)).ok.body.json.status == .dead
                }
                let dead = try await client.getRun(path: .init(id: runID)).ok.body.json
                #expect(dead.deadReason == .attemptsExhausted)
                #expect(dead.attempts?.first?.statusCode == 500)
                let retried = try await client.retryRun(path: .init(id: runID)).ok.body.json
                #expect([.queued, .running, .succeeded].contains(retried.status))
                try await waitUntil("the retried run succeeded") {
                    try await client.getRun(path: .init(id: runID)).ok.body.json.status == .succeeded
                }
                #expect(try await client.getRun(path: .init(id: runID)).ok.body.json.attempts?.count == 2)
            }
        }
    }

    @Test func errorsDecodeAsTheDocumentedShape() async throws {
        try await InletStack.with { stack in
            let client = stack.client()
            // 422: an invalid JSON Schema, with a detail pointing into the request body.
            let invalid = try await client.createEventSource(
                body: .json(.init(name: "bad", schema: try json(#"{"type": 12}"#))))
            guard case .unprocessableContent(let refusal) = invalid else {
                Issue.record("an invalid schema answered \(invalid)")
                return
            }
            let error = try refusal.body.json.error
            #expect(error.code == "validation_failed")
            #expect(error.details?.contains { $0.path.hasPrefix("/schema") } == true, "\(error)")

            // 422 on dispatch: one detail per violation, pointing into the payload.
            _ = try await client.createEventSource(
                body: .json(.init(name: "typed", schema: try json(#"{"type": "object", "required": ["id"]}"#)))
            ).created
            let violation = try await client.dispatchEvent(body: .json(.init(source: "typed", payload: try json("{}"))))
            guard case .unprocessableContent(let payloadRefusal) = violation else {
                Issue.record("a payload breaking the schema answered \(violation)")
                return
            }
            #expect(try payloadRefusal.body.json.error.details?.first?.keyword == "required")

            // 404 and 401 have the same body.
            let missing = try await client.getJob(path: .init(id: UUID().uuidString.lowercased()))
            #expect(try missing.notFound.body.json.error.code == "not_found")
            let stranger = try await stack.client(apiKey: "inl_not_a_key").listJobs()
            #expect(try stranger.unauthorized.body.json.error.code == "unauthorized")

            // A client that throws on error answers gives the same code and details.
            let throwing = Client(serverURL: stack.serverURL, apiKey: stack.apiKey, throwingAPIErrors: true)
            do {
                _ = try await throwing.createEventSource(
                    body: .json(.init(name: "bad", schema: try json(#"{"type": 12}"#))))
                Issue.record("no error thrown")
            } catch {
                let apiError = try #require(InletAPIError(error))
                #expect(apiError.status == 422 && apiError.code == "validation_failed" && !apiError.details.isEmpty)
            }
        }
    }
}

/// A JSON value of the generated types (`OpenAPIObjectContainer`, `OpenAPIValueContainer`) from its text.
func json<T: Decodable>(_ text: String) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(text.utf8))
}
