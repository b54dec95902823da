import Foundation
import Hummingbird
import Inlet
import InletStore

/// `/v1/events`: stored events and replays.
struct EventController {
    let services: Services
    let dispatcher: Dispatcher

    /// How an event arrived: `POST /v1/events/dispatch`, `POST /v1/ingest/{source_id}`, or a source replay.
    static let vias = ["api", "ingest", "replay"]

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("events", use: list)
        group.get("events/{id}", use: get)
        group.post("events/{id}/replay", use: replay)
    }

    func list(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let projectID = try await services.projectID(for: context, request: request)
        var sourceID: UUID?
        if let reference = request.uri.queryParameters["source"] {
            guard !reference.contains("\0") else { throw APIError.notFound("event source") }
            sourceID = try await services.sources(projectID).find(reference: String(reference)).id
        }
        var filter = EventRepository.Filter(sourceID: sourceID)
        if let via = request.uri.queryParameters["via"] {
            guard Self.vias.contains(String(via)) else {
                throw APIError.badRequest("query parameter via must be one of \(Self.vias.joined(separator: ", "))")
            }
            filter.via = String(via)
        }
        filter.from = try QueryParameters.timestamp(request, "from")
        filter.to = try QueryParameters.timestamp(request, "to")
        let page = try await EventRepository(projectID: projectID, pool: services.pool).list(
            filter, page: try QueryParameters.page(request))
        return JSONResponse.page(page, request: request)
    }

    func get(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let projectID = try await services.projectID(for: context, request: request)
        let event = try await EventRepository(projectID: projectID, pool: services.pool).get(
            try context.parameters.id("id", "event"))
        return JSONResponse.make(event.json)
    }

    /// Re-evaluates the source's current subscriptions against the stored event; `dry_run=true` only reports, and
    /// `explain=true` adds, for every subscription, whether its filter matches and else why not.
    func replay(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let projectID = try await services.projectID(for: context, request: request)
        let dryRun = try QueryParameters.bool(request, "dry_run") ?? false
        let explain = try QueryParameters.bool(request, "explain") ?? false
        let event = try await EventRepository(projectID: projectID, pool: services.pool).get(
            try context.parameters.id("id", "event"))
        let replay = try await dispatcher.replay(
            event, dryRun: dryRun, requestID: context.requestID, isCancelled: services.cancellation(of: context.client))
        let matches: [JSONValue] = replay.targets.map { target in
            .object(JSONObject([("subscription_id", .id(target.subscriptionID)), ("job_id", .id(target.jobID))]))
        }
        var answer = JSONObject([
            ("event_id", .id(event.id)), ("dry_run", .bool(dryRun)),
            ("dispatched", .int(Int64(replay.dispatched))),
            ("matches", .array(matches)),
        ])
        if explain {
            var headers: [String: String] = [:]
            for (name, value) in event.headers.objectValue ?? JSONObject() { headers[name] = value.stringValue }
            let budget = WorkBudget(
                steps: services.configuration.workBudgetSteps, isCancelled: services.cancellation(of: context.client))
            let result = try await FilterExplainer(services: services, projectID: projectID).explain(
                sourceID: event.sourceID, subscriptionID: nil, payload: event.payload, headers: headers, budget: budget)
            answer["explain"] = .array(result.explanations)
        }
        return JSONResponse.make(.object(answer), status: dryRun ? .ok : .accepted)
    }
}

extension Event {
    var json: JSONValue {
        .object(
            JSONObject([
                ("id", .id(id)), ("project_id", .id(projectID)), ("source_id", .id(sourceID)),
                ("idempotency_key", .string(idempotencyKey)), ("payload", payload), ("headers", headers),
                ("via", .string(via)), ("verification", .string(verification)), ("request_id", .string(requestID)),
                ("dispatched", .int(Int64(dispatched))), ("received_at", .timestamp(receivedAt)),
                ("ordering_key", .string(orderingKey)),
            ]))
    }
}
