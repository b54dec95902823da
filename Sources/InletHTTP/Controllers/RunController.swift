import Foundation
import Hummingbird
import Inlet
import InletStore

/// `/v1/runs`: job runs with their attempts, retry and cancel.
struct RunController {
    let services: Services

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("runs", use: list)
        group.get("runs/{id}", use: get)
        group.post("runs/{id}/retry", use: retry)
        group.post("runs/{id}/cancel", use: cancel)
    }

    private func repository(_ request: Request, _ context: AuthenticatedContext) async throws -> RunRepository {
        services.runs(try await services.projectID(for: context, request: request))
    }

    func list(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        var filter = RunRepository.Filter()
        if let status = request.uri.queryParameters["status"] {
            // One status or a comma-separated list of them; each named once at most, so the list is bounded.
            let statuses = status.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard !statuses.isEmpty, statuses.count <= RunRepository.statuses.count,
                statuses.allSatisfy(RunRepository.statuses.contains), Set(statuses).count == statuses.count
            else {
                throw APIError.badRequest(
                    "query parameter status must be one of \(RunRepository.statuses.joined(separator: ", ")), "
                        + "or several of them separated by commas")
            }
            filter.statuses = statuses
        }
        filter.jobID = try QueryParameters.uuid(request, "job_id")
        filter.eventID = try QueryParameters.uuid(request, "event_id")
        let page = try await repository(request, context).list(filter, page: try QueryParameters.page(request))
        return JSONResponse.page(page, request: request)
    }

    func get(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        JSONResponse.make(try await repository(request, context).get(try context.parameters.id("id", "run")).json)
    }

    func retry(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        JSONResponse.make(try await repository(request, context).retry(try context.parameters.id("id", "run")).json)
    }

    func cancel(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        JSONResponse.make(try await repository(request, context).cancel(try context.parameters.id("id", "run")).json)
    }
}

extension JobRun {
    var json: JSONValue {
        var object = JSONObject([
            ("id", .id(id)), ("project_id", .id(projectID)), ("event_id", .id(eventID)), ("job_id", .id(jobID)),
            ("subscription_id", subscriptionID.map(JSONValue.id) ?? .null), ("status", .string(status)),
            ("attempt", .int(Int64(attempt))), ("max_attempts", .int(Int64(maxAttempts))),
            ("run_at", .timestamp(runAt)),
            ("locked_by", .string(lockedBy)), ("lease_until", leaseUntil.map(JSONValue.timestamp) ?? .null),
            ("last_error", .string(lastError)), ("request_id", .string(requestID)),
            ("created_at", .timestamp(createdAt)),
            ("updated_at", .timestamp(updatedAt)), ("finished_at", finishedAt.map(JSONValue.timestamp) ?? .null),
            ("dead_reason", .string(deadReason)), ("deliver_at", deliverAt.map(JSONValue.timestamp) ?? .null),
            ("ordering_key", .string(orderingKey)), ("ordering_blocked", .bool(orderingBlocked)),
        ])
        if let attempts {
            object["attempts"] = .array(
                attempts.map { attempt in
                    .object(
                        JSONObject([
                            ("attempt", .int(Int64(attempt.attempt))),
                            ("started_at", .string(Timestamp.string(attempt.startedAt, fractional: true))),
                            ("finished_at", .string(Timestamp.string(attempt.finishedAt, fractional: true))),
                            ("duration_ms", .int(Int64(attempt.durationMilliseconds))),
                            ("outcome", .string(attempt.outcome)),
                            ("status_code", attempt.statusCode.map { .int(Int64($0)) } ?? .null),
                            ("error", .string(attempt.error)), ("response_excerpt", .string(attempt.responseExcerpt)),
                            ("worker", .string(attempt.worker)),
                        ]))
                })
        }
        return .object(object)
    }
}
