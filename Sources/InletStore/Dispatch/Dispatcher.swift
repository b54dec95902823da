import Foundation
import Inlet
import Logging
import Postgres

/// Turns an event into durable job runs: resolve the source, validate the payload, match subscriptions, and
/// write the event with all its runs in one statement (one transaction, one round trip).
public struct Dispatcher: Sendable {
    let pool: PostgresPool
    let routes: SourceRouteCache
    let notifier: RunNotifier?
    let metrics: DispatchMetrics?

    public init(pool: PostgresPool, routes: SourceRouteCache, notifier: RunNotifier?, metrics: DispatchMetrics? = nil) {
        self.pool = pool
        self.routes = routes
        self.notifier = notifier
        self.metrics = metrics
    }

    public func dispatch(_ request: DispatchRequest) async throws -> DispatchResult {
        var route = try await routes.route(projectID: request.projectID, reference: request.sourceReference)
        for attempt in 0..<3 {
            if !route.source.enabled, attempt == 0 {
                // A disabled source in the cache may have been enabled through another node: look again.
                route = try await routes.reload(projectID: request.projectID, reference: request.sourceReference)
            }
            guard route.source.enabled else { throw StoreError(.conflict, "the event source is disabled") }
            do {
                try validate(request.payload, against: route)
            } catch {
                metrics?.record(.schemaRejected, projectID: request.projectID, via: request.via.rawValue)
                throw error
            }
            let targets = route.matchingTargets(payload: request.payload, headers: request.headers)
            if let result = try await insert(request, route: route, targets: targets) {
                if result.dispatched > 0, !result.duplicate { notifier?.runsCreated() }
                let outcome: DispatchMetrics.Outcome =
                    result.duplicate ? .duplicate : (result.dispatched > 0 ? .accepted : .unmatched)
                metrics?.record(
                    outcome, projectID: request.projectID, via: request.via.rawValue,
                    runs: result.duplicate ? 0 : result.dispatched)
                return result
            }
            // The source changed since it was cached (or was deleted): reload and decide again.
            route = try await routes.reload(projectID: request.projectID, reference: request.sourceReference)
        }
        throw StoreError(.conflict, "the event source is changing too quickly; retry")
    }

    /// Schema violations as a validation error with one issue per violation (JSON pointers into the payload).
    func validate(_ payload: JSONValue, against route: SourceRoute) throws {
        guard let schema = route.schema else { return }
        let violations = schema.validate(payload)
        guard !violations.isEmpty else { return }
        throw ValidationError(
            "the payload does not match the event source's schema",
            issues: violations.map { ValidationIssue(path: $0.path, message: $0.message, keyword: $0.keyword) })
    }

    /// Inserts the event and its runs unless the cached source version is stale (then `nil`).
    func insert(_ request: DispatchRequest, route: SourceRoute, targets: [SourceRoute.Target]) async throws
        -> DispatchResult?
    {
        let eventID = UUID.v7()
        var headers = JSONObject()
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) { headers[name] = .string(value) }
        let rows = try await translatingErrors {
            try await pool.query(
                Self.insertSQL,
                [
                    request.projectID, route.source.id, route.source.version, eventID, request.idempotencyKey,
                    request.payload.postgres, JSONValue.object(headers).postgres, request.via.rawValue,
                    request.verification, request.requestID, Int32(targets.count),
                    targets.map { _ in UUID.v7() }, targets.map(\.jobID), targets.map(\.subscriptionID),
                    targets.map { Int32($0.maxAttempts) },
                ])
        }
        let row = rows[0]
        guard try row.decode(Bool.self, at: 0) else { return nil }
        if let inserted = try row.decode(UUID?.self, at: 1) {
            return DispatchResult(eventID: inserted, dispatched: try row.decode(Int.self, at: 2), duplicate: false)
        }
        // A repeated idempotency key (rare): the original is read by a second statement, not by a join in the
        // first. In the insert statement's generic plan, made while the tables were small (a fresh database,
        // before autovacuum's first ANALYZE), that join was a sequential scan of `events` on every dispatch, whose
        // cost grew with the table: 2 ms to 18 ms per dispatch within a minute of a benchmark's start. The second
        // statement also finds an original committed by a concurrent request after the first one's snapshot.
        let existing = try await pool.query(
            "SELECT id, dispatched FROM events WHERE project_id = $1 AND source_id = $2 AND idempotency_key = $3",
            [request.projectID, route.source.id, request.idempotencyKey])
        guard let original = existing.first else { throw StoreError(.conflict, "the duplicate event vanished; retry") }
        return DispatchResult(
            eventID: try original.decode(UUID.self, at: 0), dispatched: try original.decode(Int.self, at: 1),
            duplicate: true)
    }

    /// One statement: check the source version, insert the event (unless its idempotency key was seen), and insert
    /// every run with one multi-row insert.
    static let insertSQL = """
        WITH source AS (
            SELECT id FROM event_sources WHERE project_id = $1 AND id = $2 AND version = $3 AND enabled
        ), inserted AS (
            INSERT INTO events (project_id, id, source_id, idempotency_key, payload, headers, via, verification,
                                request_id, dispatched)
            SELECT $1, $4, source.id, $5, $6, $7, $8, $9, $10, $11 FROM source
            ON CONFLICT (project_id, source_id, idempotency_key) DO NOTHING
            RETURNING id
        ), runs AS (
            INSERT INTO job_runs (project_id, id, event_id, job_id, subscription_id, max_attempts, request_id)
            SELECT $1, r.id, inserted.id, r.job_id, r.subscription_id, r.max_attempts, $10
            FROM inserted, unnest($12::uuid[], $13::uuid[], $14::uuid[], $15::int4[])
                AS r (id, job_id, subscription_id, max_attempts)
            RETURNING 1
        )
        SELECT EXISTS (SELECT 1 FROM source), (SELECT id FROM inserted), (SELECT count(*) FROM runs)
        """
}
