import Foundation
import Hummingbird
import Inlet
import InletStore

/// `POST /v1/events/dispatch`: the seed's dispatch endpoint.
struct DispatchController {
    let services: Services
    let dispatcher: Dispatcher

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.post("events/dispatch", use: dispatch)
    }

    func dispatch(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        // The payload is checked but not parsed: it is stored as sent, and parsed only for a schema to judge.
        let (body, payload) = try await JSONRequestBody.object(
            request, limit: services.configuration.maxBodyBytes, deferring: "payload")
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
}
