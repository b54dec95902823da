import Foundation
import Hummingbird
import Inlet
import InletStore

/// Bulk recovery after an outage, in bounded batches with counts in the answer:
/// `POST /v1/jobs/{id}/retry-dead` requeues a job's dead runs, `POST /v1/event-sources/{id}/replay` replays a
/// source's events received in a time range (`dry_run` reports what it would create).
struct RecoveryController {
    let services: Services
    let dispatcher: Dispatcher

    /// The most dead runs one `retry-dead` call requeues.
    static let maximumRetryBatch = 1000
    /// The most events one source replay call handles (each is one statement).
    static let maximumReplayBatch = 500
    static let defaultReplayBatch = 100

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.post("jobs/{id}/retry-dead", use: retryDead)
        group.post("event-sources/{id}/replay", use: replaySource)
    }

    /// Reads an optional JSON object body (an empty or absent body is `{}`).
    private func optionalBody(_ request: Request) async throws -> ObjectReader {
        guard request.headers[.contentLength].flatMap(Int.init) ?? 1 > 0, request.headers[.contentType] != nil else {
            return ObjectReader(JSONObject())
        }
        return ObjectReader(try await JSONRequestBody.object(request, limit: services.configuration.maxBodyBytes))
    }

    func retryDead(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let projectID = try await services.projectID(for: context, request: request)
        let jobID = try context.parameters.id("id", "job")
        var reader = try await optionalBody(request)
        let since = Self.timestamp(&reader, "since")
        let limit = reader.integer("limit", range: 1...Self.maximumRetryBatch) ?? Self.maximumRetryBatch
        reader.rejectUnknownFields()
        try reader.finish()
        let (requeued, hasMore) = try await services.runs(projectID).requeueDead(
            jobID: jobID, since: since, limit: limit)
        return JSONResponse.make(
            .object(
                JSONObject([
                    ("job_id", .id(jobID)), ("requeued", .int(Int64(requeued))), ("has_more", .bool(hasMore)),
                ])))
    }

    func replaySource(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let projectID = try await services.projectID(for: context, request: request)
        let sourceID = try context.parameters.id("id", "event source")
        var reader = try await optionalBody(request)
        let from = Self.timestamp(&reader, "from", required: true)
        let to = Self.timestamp(&reader, "to", required: true)
        if let from, let to {
            if to <= from { reader.issue("to", "must be later than from") }
        }
        let dryRun = reader.bool("dry_run") ?? false
        let limit = reader.integer("limit", range: 1...Self.maximumReplayBatch) ?? Self.defaultReplayBatch
        let after = reader.uuid("after")
        reader.rejectUnknownFields()
        try reader.finish()
        let source = try await services.sources(projectID).get(sourceID)  // 404 for another project's source
        let batch = try await EventRepository(projectID: projectID, pool: services.pool).range(
            sourceID: source.id, from: from!, to: to!, after: after, limit: limit)
        var dispatched = 0
        var matched = 0
        for event in batch.items {
            let replay = try await dispatcher.replay(
                event, dryRun: dryRun, requestID: context.requestID,
                isCancelled: services.cancellation(of: context.client))
            dispatched += replay.dispatched
            matched += replay.targets.count
        }
        let next: JSONValue = batch.hasMore ? batch.items.last.map { .id($0.id) } ?? .null : .null
        return JSONResponse.make(
            .object(
                JSONObject([
                    ("source_id", .id(source.id)), ("dry_run", .bool(dryRun)),
                    ("events", .int(Int64(batch.items.count))),
                    ("matched", .int(Int64(matched))), ("dispatched", .int(Int64(dispatched))), ("next_after", next),
                ])), status: dryRun ? .ok : .accepted)
    }

    /// An RFC 3339 field.
    static func timestamp(_ reader: inout ObjectReader, _ key: String, required: Bool = false) -> Date? {
        guard let text = reader.string(key, required: required) else { return nil }
        guard let date = Timestamp.date(text) else {
            reader.issue(key, "must be an RFC 3339 date-time such as 2026-11-26T15:37:07Z", keyword: "format")
            return nil
        }
        return date
    }
}
