import Foundation
import Inlet
import Logging
import Postgres
import Tracing

/// Turns an event into durable job runs: resolve the source, validate the payload, match subscriptions, and
/// write the event with all its runs in one statement (one transaction, one round trip).
///
/// Validation and matching run tenant-supplied schemas and filters against a tenant-supplied payload: they draw
/// on one ``WorkBudget`` of `workBudgetSteps` per request and stop when it runs out (a 422 for the client) or
/// when the request's `isCancelled` says nobody waits for the answer any more.
public struct Dispatcher: Sendable {
    let pool: PostgresPool
    let routes: SourceRouteCache
    let notifier: RunNotifier?
    let metrics: DispatchMetrics?
    let workBudgetSteps: Int
    /// Where payloads of at least `threshold` bytes are evaluated; `nil` evaluates every payload in place.
    let lanes: (lanes: EvaluationLanes, threshold: Int)?
    /// The project quotas of dispatch (fan-out, rate); none are enforced without it.
    let quotas: DispatchQuotas?
    /// Writes single dispatches that arrive together with one statement; `nil` writes each with its own.
    let groupCommit: DispatchGroupCommit?

    public init(
        pool: PostgresPool, routes: SourceRouteCache, notifier: RunNotifier?, metrics: DispatchMetrics? = nil,
        workBudgetSteps: Int = WorkBudget.defaultSteps,
        lanes: (lanes: EvaluationLanes, threshold: Int)? = (.shared, EvaluationLanes.defaultThreshold),
        quotas: DispatchQuotas? = nil, groupCommitWriters: Int? = nil
    ) {
        self.quotas = quotas
        self.groupCommit = groupCommitWriters.map { writers in
            DispatchGroupCommit(
                writers: writers,
                insert: { items in
                    // One event (no one else waiting, the common case when idle): its own, smaller statement.
                    items.count == 1
                        ? [try await Self.insert(items[0], pool: pool)] : try await Self.insertEvents(items, pool: pool)
                })
        }
        self.pool = pool
        self.routes = routes
        self.notifier = notifier
        self.metrics = metrics
        self.workBudgetSteps = workBudgetSteps
        self.lanes = lanes
    }

    /// Charges `bytes` of a dispatch or ingest request body to the project's `max_event_bytes_per_second` quota
    /// (nothing without quotas), or throws ``DispatchRateLimited``. Called when the request arrives, before its
    /// payload is read or evaluated: the quota bounds the work a project can cause per second, whatever the answer.
    public func admitBytes(_ projectID: UUID, _ bytes: Int) async throws {
        guard let quotas else { return }
        try await quotas.admitBytes(projectID, bytes, limits: try await quotas.limits(projectID))
    }

    /// Dispatches one event in a `dispatch` span (children: `validate` and `match` for the evaluation, and the
    /// SQL statements); the event and its runs keep the span's trace context (``TraceContext``).
    public func dispatch(_ request: DispatchRequest) async throws -> DispatchResult {
        try await withSpan("dispatch", ofKind: .internal) { span in
            span.attributes["inlet.project_id"] = request.projectID.lowercasedString
            span.attributes["inlet.dispatch.via"] = request.via.rawValue
            var request = request
            request.traceparent = TraceContext.current
            let result = try await dispatchInSpan(request)
            span.attributes["inlet.event_id"] = result.eventID.lowercasedString
            span.attributes["inlet.runs"] = result.dispatched
            span.attributes["inlet.duplicate"] = result.duplicate
            return result
        }
    }

    func dispatchInSpan(_ request: DispatchRequest) async throws -> DispatchResult {
        let limits = try await quotas?.limits(request.projectID)
        var admitted = false
        var route = try await routes.route(projectID: request.projectID, source: request.source)
        var payload = request.payload
        for _ in 0..<3 {
            let targets: [SourceRoute.Target]
            do {
                guard route.source.enabled else { throw StoreError(.conflict, "the event source is disabled") }
                (targets, payload) = try await evaluate(payload, of: request, on: route)
            } catch let error as WorkBudgetError {
                // Decided by the tenant's own schema, filters and payload, whatever the route's age.
                metrics?.record(
                    error.code == .exhausted ? .workBudgetExceeded : .cancelled, projectID: request.projectID,
                    via: request.via.rawValue)
                throw error
            } catch {
                // A refusal decided on the cached route stands only if that route is still the stored state; a
                // change made through any node since then (a schema loosened, the source enabled) is seen here.
                guard try await routes.isCurrent(route) else {
                    route = try await routes.reload(projectID: request.projectID, source: request.source)
                    continue
                }
                if error is ValidationError {
                    metrics?.record(.schemaRejected, projectID: request.projectID, via: request.via.rawValue)
                }
                throw error
            }
            if let quotas, let limits {
                // Only dispatches that would be stored count against the rate: refusals cost the quota nothing.
                try DispatchQuotas.checkFanOut(targets.count, limits: limits)
                if !admitted {
                    // A payload the database will refuse must not draw on the shared bucket either (drawing writes
                    // its row); checked only when a draw is due, so the common case costs nothing.
                    if !quotas.holdsSlice(request.projectID), request.payload.containsNULCharacter {
                        throw StoreError(.invalid, "a value cannot be stored: strings must not contain \\u0000")
                    }
                    try await quotas.admitDispatch(request.projectID, limits: limits)
                }
                admitted = true
            }
            let keys = Self.orderingKeys(of: targets, given: request.orderingKey, payload: payload.parsed)
            let inserted = try await withSpan("insert") { span in
                span.attributes["inlet.runs"] = targets.count
                guard let groupCommit else {
                    return try await insert(request, route: route, targets: targets, orderingKeys: keys)
                }
                return try await groupCommit.write(
                    EventInsert(request: request, route: route, targets: targets, orderingKeys: keys))
            }
            if let result = inserted {
                if result.dispatched > 0, !result.duplicate { notifier?.runsCreated() }
                let outcome: DispatchMetrics.Outcome =
                    result.duplicate ? .duplicate : (result.dispatched > 0 ? .accepted : .unmatched)
                metrics?.record(
                    outcome, projectID: request.projectID, via: request.via.rawValue,
                    runs: result.duplicate ? 0 : result.dispatched)
                return result
            }
            // The source changed since it was cached (or was deleted): reload and decide again.
            route = try await routes.reload(projectID: request.projectID, source: request.source)
        }
        throw StoreError(.conflict, "the event source is changing too quickly; retry")
    }

    /// Validates the payload against the route's schema and matches it to the route's subscriptions, within one
    /// work budget: in place for small payloads, on an ``EvaluationLanes`` lane for large ones. Returns the
    /// payload with its tree when the schema needed one, so that a second attempt does not parse it again.
    func evaluate(_ payload: EventPayload, of request: DispatchRequest, on route: SourceRoute) async throws -> (
        [SourceRoute.Target], EventPayload
    ) {
        let steps = workBudgetSteps
        let headers = request.headers
        let isCancelled = request.isCancelled
        let explicitKey = request.orderingKey
        // The spans are started from the caller's context: a large payload is evaluated on a lane's thread, where
        // the task's context is not current.
        let context = ServiceContext.current ?? .topLevel
        let work: @Sendable () throws -> ([SourceRoute.Target], EventPayload) = {
            let budget = WorkBudget(steps: steps, isCancelled: isCancelled)
            var payload = payload
            if let schema = route.schema {
                let span = startSpan("validate", context: context)
                defer { span.end() }
                do {
                    // The schema needs the payload's tree (parsed once, within the budget); the filters then match
                    // it too.
                    if payload.parsed == nil {
                        payload = EventPayload(validatedText: payload.text, parsed: try payload.value(budget: budget))
                    }
                    try Self.validate(payload.parsed!, against: schema, budget: budget)
                } catch {
                    span.recordError(error)
                    throw error
                }
            }
            let span = startSpan("match", context: context)
            defer { span.end() }
            let targets: [SourceRoute.Target]
            do {
                targets = try route.matchingTargets(payload: payload, headers: headers, budget: budget)
            } catch {
                span.recordError(error)
                throw error
            }
            span.attributes["inlet.subscriptions"] = route.targets.count
            span.attributes["inlet.matched"] = targets.count
            if explicitKey == nil, payload.parsed == nil, targets.contains(where: { $0.orderingKeyPath != nil }) {
                // A subscription reads the runs' ordering key from the payload: its tree, within the same budget.
                payload = EventPayload(validatedText: payload.text, parsed: try payload.value(budget: budget))
            }
            return (targets, payload)
        }
        guard let lanes, payload.text.count >= lanes.threshold else { return try work() }
        return try await lanes.lanes.run(projectID: request.projectID, work)
    }

    /// Re-evaluates the source's current subscriptions against a stored event and, unless `dryRun`, creates one
    /// run per match. Judged like a dispatch (the source must be enabled; every answer is decided on the current
    /// state), but the payload is not validated again: it was accepted under the schema of its time.
    public func replay(
        _ event: Event, dryRun: Bool, requestID: String?, isCancelled: (@Sendable () -> Bool)? = nil
    ) async throws -> ReplayResult {
        let reference = SourceReference.id(event.sourceID)
        var route = try await routes.route(projectID: event.projectID, source: reference)
        let budget = WorkBudget(steps: workBudgetSteps, isCancelled: isCancelled)
        var headers: [String: String] = [:]
        for (name, value) in event.headers.objectValue ?? JSONObject() { headers[name] = value.stringValue }
        let limits = try await quotas?.limits(event.projectID)
        for _ in 0..<3 {
            let targets =
                route.source.enabled
                ? try route.matchingTargets(payload: event.payload, headers: headers, budget: budget) : []
            if route.source.enabled, !dryRun, !targets.isEmpty {
                if let limits { try DispatchQuotas.checkFanOut(targets.count, limits: limits) }
                let keys = Self.orderingKeys(of: targets, given: event.orderingKey, payload: event.payload)
                if let created = try await insertRuns(
                    for: event, route: route, targets: targets, orderingKeys: keys, requestID: requestID)
                {
                    notifier?.runsCreated()
                    metrics?.record(
                        .accepted, projectID: event.projectID, via: DispatchRequest.Via.replay.rawValue, runs: created)
                    return ReplayResult(targets: targets, dispatched: created)
                }
            } else if try await routes.isCurrent(route) {
                guard route.source.enabled else { throw StoreError(.conflict, "the event source is disabled") }
                return ReplayResult(targets: targets, dispatched: 0)
            }
            route = try await routes.reload(projectID: event.projectID, source: reference)
        }
        throw StoreError(.conflict, "the event source is changing too quickly; retry")
    }

    /// The ordering key of each target's run: the one the dispatch gave, else what the target's subscription
    /// path reads from the payload's tree (none without a tree: no target reads one then).
    static func orderingKeys(of targets: [SourceRoute.Target], given: String?, payload: JSONValue?) -> [String?] {
        if let given { return targets.map { _ in given } }
        return targets.map { target in payload.flatMap { target.orderingKeyPath?.key(in: $0) } }
    }

    /// Schema violations as a validation error with one issue per violation (JSON pointers into the payload).
    static func validate(_ payload: JSONValue, against schema: JSONSchema, budget: WorkBudget) throws {
        let violations = try schema.validate(payload, budget: budget)
        guard !violations.isEmpty else { return }
        throw ValidationError(
            "the payload does not match the event source's schema",
            issues: violations.map { ValidationIssue(path: $0.path, message: $0.message, keyword: $0.keyword) })
    }

    /// Inserts the event and its runs unless the cached source version is stale (then `nil`).
    func insert(
        _ request: DispatchRequest, route: SourceRoute, targets: [SourceRoute.Target], orderingKeys: [String?]
    ) async throws -> DispatchResult? {
        try await Self.insert(
            EventInsert(request: request, route: route, targets: targets, orderingKeys: orderingKeys), pool: pool)
    }

    /// ``insert(_:route:targets:orderingKeys:)`` of one event: its own statement, smaller than the many-event one.
    static func insert(_ item: EventInsert, pool: PostgresPool) async throws -> DispatchResult? {
        let (request, route, targets, orderingKeys) = (item.request, item.route, item.targets, item.orderingKeys)
        let eventID = UUID.v7()
        var headers = JSONObject()
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) { headers[name] = .string(value) }
        let rows = try await translatingErrors {
            try await pool.query(
                Self.insertSQL,
                [
                    request.projectID, route.source.id, route.source.version, eventID, request.idempotencyKey,
                    PostgresJSON(bytes: request.payload.text), JSONValue.object(headers).postgres, request.via.rawValue,
                    request.verification, request.requestID, Int32(targets.count),
                    targets.map { _ in UUID.v7() }, targets.map(\.jobID), targets.map(\.subscriptionID),
                    targets.map { Int32($0.maxAttempts) }, request.deliverAt, request.delayMilliseconds, orderingKeys,
                    request.orderingKey, request.traceparent,
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

    /// Inserts a replay's runs unless the cached source version is stale or the source disabled (then `nil`).
    func insertRuns(
        for event: Event, route: SourceRoute, targets: [SourceRoute.Target], orderingKeys: [String?],
        requestID: String?
    ) async throws -> Int? {
        let rows = try await pool.query(
            Self.replaySQL,
            [
                event.projectID, route.source.id, route.source.version, event.id, requestID,
                targets.map { _ in UUID.v7() }, targets.map(\.jobID), targets.map(\.subscriptionID),
                targets.map { Int32($0.maxAttempts) }, orderingKeys, TraceContext.current,
            ])
        guard try rows[0].decode(Bool.self, at: 0) else { return nil }
        return try rows[0].decode(Int.self, at: 1)
    }

    /// One statement: check the source version, insert the event (unless its idempotency key was seen), and insert
    /// every run with one multi-row insert. A delayed event's runs get `deliver_at` (the instant asked, or now plus
    /// the delay asked or the source's `delivery_delay_ms`) and a `run_at` no earlier than it. A run with an
    /// ordering key behind a live run of its key is blocked by the migration's trigger (sql/0005_ordering_keys.sql).
    static let insertSQL = """
        WITH source AS (
            SELECT id, CASE WHEN $16::timestamptz IS NOT NULL THEN $16::timestamptz
                            WHEN coalesce($17::int8, delivery_delay_ms) > 0
                            THEN now() + coalesce($17::int8, delivery_delay_ms) * interval '1 millisecond'
                       END AS deliver_at
            FROM event_sources WHERE project_id = $1 AND id = $2 AND version = $3 AND enabled
        ), inserted AS (
            INSERT INTO events (project_id, id, source_id, idempotency_key, payload, headers, via, verification,
                                request_id, dispatched, ordering_key, traceparent)
            SELECT $1, $4, source.id, $5, $6, $7, $8, $9, $10, $11, $19, $20 FROM source
            ON CONFLICT (project_id, source_id, idempotency_key) DO NOTHING
            RETURNING id
        ), runs AS (
            INSERT INTO job_runs (project_id, id, event_id, job_id, subscription_id, max_attempts, request_id,
                                  deliver_at, run_at, ordering_key, traceparent)
            SELECT $1, r.id, inserted.id, r.job_id, r.subscription_id, r.max_attempts, $10,
                   source.deliver_at, greatest(now(), source.deliver_at), r.ordering_key, $20
            FROM inserted, source, unnest($12::uuid[], $13::uuid[], $14::uuid[], $15::int4[], $18::text[])
                AS r (id, job_id, subscription_id, max_attempts, ordering_key)
            RETURNING 1
        )
        SELECT EXISTS (SELECT 1 FROM source), (SELECT id FROM inserted), (SELECT count(*) FROM runs)
        """

    /// One statement: check the source version, then insert a replay's runs for the stored event.
    static let replaySQL = """
        WITH source AS (
            SELECT id FROM event_sources WHERE project_id = $1 AND id = $2 AND version = $3 AND enabled
        ), runs AS (
            INSERT INTO job_runs (project_id, id, event_id, job_id, subscription_id, max_attempts, request_id,
                                  ordering_key, traceparent)
            SELECT $1, r.id, $4, r.job_id, r.subscription_id, r.max_attempts, $5, r.ordering_key, $11
            FROM source, unnest($6::uuid[], $7::uuid[], $8::uuid[], $9::int4[], $10::text[])
                AS r (id, job_id, subscription_id, max_attempts, ordering_key)
            RETURNING 1
        )
        SELECT EXISTS (SELECT 1 FROM source), (SELECT count(*) FROM runs)
        """
}

/// What a replay matched, and how many runs it created (none on a dry run).
public struct ReplayResult: Sendable {
    public var targets: [SourceRoute.Target]
    public var dispatched: Int
}
