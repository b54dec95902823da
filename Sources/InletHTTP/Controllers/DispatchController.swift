import Foundation
import Hummingbird
import Inlet
import InletStore
import Logging

/// `POST /v1/events/dispatch`: the seed's dispatch endpoint.
struct DispatchController {
    let services: Services
    let dispatcher: Dispatcher

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.post("events/dispatch", use: dispatch)
        group.post("events/dispatch/batch", use: dispatchBatch)
    }

    func dispatch(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let limit = services.configuration.maxBodyBytes
        let charged = try await chargeDeclaredBytes(request, context: context)
        // The payload is checked but not parsed: it is stored as sent, and parsed only for a schema to judge.
        let (body, payload) = try await JSONRequestBody.object(request, limit: limit, deferring: "payload")
        var reader = ObjectReader(body)
        let requestedProject = reader.uuid("project_id")
        let source = reader.string("source", required: true)
        if let source, source.isEmpty || source.utf8.count > 128 || source.contains("\0") {
            reader.issue("source", "must be a source name or id")
        }
        var idempotencyKey = reader.string("idempotency_key")
        if let header = request.headers[.idempotencyKey] {
            if let idempotencyKey, idempotencyKey != header {
                reader.issue("idempotency_key", "differs from the Idempotency-Key header; send one or make them equal")
            }
            idempotencyKey = header
        }
        if let key = idempotencyKey, key.isEmpty || key.utf8.count > 255 {
            reader.issue("idempotency_key", "must be 1–255 bytes")
        }
        let delivery = DeliveryTime.read(&reader)
        let orderingKey = reader.string("ordering_key")
        if let orderingKey, let problem = OrderingKey.problem(with: orderingKey) {
            reader.issue("ordering_key", problem)
        }
        reader.rejectUnknownFields()
        try reader.finish()
        let projectID = try await services.projectID(for: context, requested: requestedProject)
        if !charged { try await dispatcher.admitBytes(projectID, payload?.text.count ?? 0) }
        let headers = RecordedHeaders.select(from: request.headers.map { ($0.name.canonicalName, $0.value) })
        var dispatch = DispatchRequest(
            projectID: projectID, source: .nameOrID(source!), payload: payload ?? EventPayload([:]),
            idempotencyKey: idempotencyKey, headers: headers, via: .api, requestID: context.requestID,
            isCancelled: services.cancellation(of: context.client))
        dispatch.deliverAt = delivery.deliverAt
        dispatch.delayMilliseconds = delivery.delayMilliseconds
        dispatch.orderingKey = orderingKey
        let result = try await dispatcher.dispatch(dispatch)
        return JSONResponse.make(
            .object(
                JSONObject([
                    ("dispatched", .int(Int64(result.dispatched))), ("source", .string(source!)),
                    ("event_id", .id(result.eventID)), ("duplicate", .bool(result.duplicate)),
                ])), status: .accepted)
    }

    /// Charges the request's declared length to the byte quota (`max_event_bytes_per_second`) before its body is
    /// read, when the key names the project; `false` when it could not (admin keys name the project in the body,
    /// chunked bodies declare no length), and the caller charges what it read.
    private func chargeDeclaredBytes(_ request: Request, context: AuthenticatedContext) async throws -> Bool {
        guard case .project(let own, _) = context.principal,
            let length = request.headers[.contentLength].flatMap(Int.init),
            length <= services.configuration.maxBodyBytes
        else { return false }
        try await dispatcher.admitBytes(own, length)
        return true
    }

    /// `POST /v1/events/dispatch/batch`: up to ``Dispatcher/maxBatchEvents`` events of one project, each judged as
    /// `POST /v1/events/dispatch` judges it, written together (one transaction); one result per event, in order.
    /// The answer is 200 whatever the events' outcomes; the request itself is refused (4xx, nothing stored) only
    /// when its envelope is wrong.
    func dispatchBatch(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let limit = services.configuration.maxBodyBytes
        let charged = try await chargeDeclaredBytes(request, context: context)
        let (body, payloads) = try await JSONRequestBody.batch(request, limit: limit)
        var reader = ObjectReader(body)
        let requestedProject = reader.uuid("project_id")
        let items = reader.raw("events")
        reader.rejectUnknownFields()
        guard let events = items?.arrayValue, (1...Dispatcher.maxBatchEvents).contains(events.count) else {
            reader.issue("events", "must be an array of 1 to \(Dispatcher.maxBatchEvents) events")
            try reader.finish()
            return Response(status: .internalServerError)  // unreachable: finish() threw
        }
        try reader.finish()
        let projectID = try await services.projectID(for: context, requested: requestedProject)
        if !charged { try await dispatcher.admitBytes(projectID, payloads.reduce(0) { $0 + $1.text.count }) }
        let headers = RecordedHeaders.select(from: request.headers.map { ($0.name.canonicalName, $0.value) })
        let isCancelled = services.cancellation(of: context.client)

        // Each event's envelope is checked on its own: a malformed one is that event's error only.
        var dispatches: [(index: Int, request: DispatchRequest)] = []
        var results = [JSONValue?](repeating: nil, count: events.count)
        for (index, item) in events.enumerated() {
            do {
                guard let object = item.objectValue else {
                    throw ValidationError(
                        "an event must be a JSON object",
                        issues: [ValidationIssue(path: "/events/\(index)", message: "must be a JSON object")])
                }
                var event = ObjectReader(object, pathPrefix: "/events/\(index)")
                let source = event.string("source", required: true)
                if let source, source.isEmpty || source.utf8.count > 128 || source.contains("\0") {
                    event.issue("source", "must be a source name or id")
                }
                let key = event.string("idempotency_key")
                if let key, key.isEmpty || key.utf8.count > 255 {
                    event.issue("idempotency_key", "must be 1–255 bytes")
                }
                let payload = event.raw("payload").map { payloads[Int($0.numberValue?.int64 ?? 0)] }
                let delivery = DeliveryTime.read(&event)
                let orderingKey = event.string("ordering_key")
                if let orderingKey, let problem = OrderingKey.problem(with: orderingKey) {
                    event.issue("ordering_key", problem)
                }
                event.rejectUnknownFields()
                try event.finish("the event is invalid")
                var dispatch = DispatchRequest(
                    projectID: projectID, source: .nameOrID(source!), payload: payload ?? EventPayload([:]),
                    idempotencyKey: key, headers: headers, via: .api, requestID: context.requestID,
                    isCancelled: isCancelled)
                dispatch.deliverAt = delivery.deliverAt
                dispatch.delayMilliseconds = delivery.delayMilliseconds
                dispatch.orderingKey = orderingKey
                dispatches.append((index, dispatch))
            } catch {
                results[index] = Self.failure(error, logger: context.logger)
            }
        }
        let outcomes = try await dispatcher.dispatchBatch(dispatches.map(\.request))
        for ((index, dispatch), outcome) in zip(dispatches, outcomes) {
            switch outcome {
            case .success(let result):
                results[index] = .object(
                    JSONObject([
                        ("status", .string(result.duplicate ? "duplicate" : "dispatched")),
                        ("event_id", .id(result.eventID)), ("dispatched", .int(Int64(result.dispatched))),
                        ("duplicate", .bool(result.duplicate)),
                        ("source", .string(Self.sourceName(dispatch.source))),
                    ]))
            case .failure(let error):
                results[index] = Self.failure(error, logger: context.logger)
            }
        }
        let accepted = outcomes.filter { if case .success = $0 { true } else { false } }.count
        return JSONResponse.make(
            .object(
                JSONObject([
                    ("accepted", .int(Int64(accepted))), ("refused", .int(Int64(events.count - accepted))),
                    ("results", .array(results.map { $0 ?? .null })),
                ])), status: .ok)
    }

    static func sourceName(_ reference: SourceReference) -> String {
        switch reference {
        case .nameOrID(let text): text
        case .id(let id): id.lowercasedString
        }
    }

    /// One event's refusal as its result: the error body a single dispatch would have answered, with its status.
    static func failure(_ error: any Error, logger: Logger) -> JSONValue {
        let apiError = ErrorMiddleware<AuthenticatedContext>.apiError(for: error, logger: logger)
        var result = apiError.json.objectValue ?? JSONObject()
        result["status"] = .string("refused")
        result["http_status"] = .int(Int64(apiError.status.code))
        if let retryAfter = apiError.headers[.retryAfter].flatMap(Int.init) {
            result["retry_after_seconds"] = .int(Int64(retryAfter))
        }
        return .object(result)
    }
}
