import Foundation
import Inlet
import Postgres
import Tracing

extension Dispatcher {
    /// The most events one batch may hold (`POST /v1/events/dispatch/batch`).
    public static let maxBatchEvents = 100
    /// The event sources one batch may name (each is looked up once per batch).
    public static let maxBatchSources = 10
    /// The runs one batch may create, in units of the project's `max_runs_per_event` (10,000 by default).
    public static let maxBatchRunsFactor = 10

    /// Dispatches the events of one batch request (one project) and returns one outcome per event, in order: a
    /// ``DispatchResult`` or the error that refused that event. One event's refusal never fails its neighbours.
    ///
    /// Each event is judged exactly as a single dispatch is (schema, filters, fan-out quota, idempotency, the
    /// source's version), within **one** work budget for the whole batch, and every accepted event is written by
    /// one statement: one transaction and one commit for the batch. An event whose cached route turns out to be
    /// stale is decided again by the single-event path, which reloads it (rare: the source changed meanwhile).
    ///
    /// Traced as one `dispatch batch` span; every event of the batch keeps its trace context.
    public func dispatchBatch(_ requests: [DispatchRequest]) async throws -> [Result<DispatchResult, any Error>] {
        try await withSpan("dispatch batch", ofKind: .internal) { span in
            span.attributes["inlet.events"] = requests.count
            let traceparent = TraceContext.current
            let outcomes = try await dispatchBatchInSpan(
                requests.map {
                    var r = $0; r.traceparent = traceparent; return r
                })
            span.attributes["inlet.events.accepted"] = outcomes.count { if case .success = $0 { true } else { false } }
            return outcomes
        }
    }

    func dispatchBatchInSpan(_ requests: [DispatchRequest]) async throws -> [Result<DispatchResult, any Error>] {
        guard let first = requests.first else { return [] }
        let projectID = first.projectID
        precondition(requests.allSatisfy { $0.projectID == projectID }, "a batch belongs to one project")
        let limits = try await quotas?.limits(projectID)

        var routes: [SourceReference: SourceRoute] = [:]
        var outcomes = [Result<DispatchResult, any Error>?](repeating: nil, count: requests.count)
        // Each source is looked up once per batch, and a batch names at most `maxBatchSources` of them: the events
        // naming more are refused, so that a batch cannot cost many lookups (of unknown sources, say) at once.
        var missing: [SourceReference: any Error] = [:]
        for (index, request) in requests.enumerated() where routes[request.source] == nil {
            if let error = missing[request.source] {
                outcomes[index] = .failure(error)
                continue
            }
            guard routes.count + missing.count < Self.maxBatchSources else {
                outcomes[index] = .failure(
                    StoreError(
                        .invalid,
                        "a batch names at most \(Self.maxBatchSources) event sources; send this event in another batch"
                    ))
                continue
            }
            do {
                routes[request.source] = try await self.routes.route(projectID: projectID, source: request.source)
            } catch {
                missing[request.source] = error
                outcomes[index] = .failure(error)
            }
        }
        let evaluations = try await evaluateBatch(requests, routes: routes)

        // Refusals decided on a cached route stand only if that route is still the stored state (as for a single
        // dispatch); the others are decided again by the single path, which reloads.
        var pending: [Pending] = []
        var retry: [Int] = []
        for (index, evaluation) in evaluations.enumerated() where outcomes[index] == nil {
            guard let route = routes[requests[index].source] else { continue }
            switch evaluation {
            case .success(let (targets, keys)):
                if let limits {
                    do {
                        try DispatchQuotas.checkFanOut(targets.count, limits: limits)
                    } catch {
                        outcomes[index] = .failure(error)
                        continue
                    }
                }
                pending.append(Pending(index: index, route: route, targets: targets, orderingKeys: keys))
            case .failure(let error as WorkBudgetError):
                metrics?.record(
                    error.code == .exhausted ? .workBudgetExceeded : .cancelled, projectID: projectID,
                    via: requests[index].via.rawValue)
                outcomes[index] = .failure(error)
            case .failure(let error):
                if try await self.routes.isCurrent(route) {
                    if error is ValidationError {
                        metrics?.record(.schemaRejected, projectID: projectID, via: requests[index].via.rawValue)
                    }
                    outcomes[index] = .failure(error)
                } else {
                    retry.append(index)
                }
            }
        }

        if let limits {
            // A batch may create at most `maxBatchRunsFactor` events' worth of the fan-out quota: one statement
            // stays small (100 events × 1,000 runs each would be 100,000 rows); the events past it are refused.
            let cap = Self.maxBatchRunsFactor * limits.effectiveMaxRunsPerEvent
            var runs = 0
            pending = pending.filter { item in
                runs += item.targets.count
                guard runs > cap else { return true }
                runs -= item.targets.count
                outcomes[item.index] = .failure(
                    StoreError(
                        .invalid,
                        "the batch would create more than \(cap) runs (\(Self.maxBatchRunsFactor) × max_runs_per_event); "
                            + "this event was not dispatched: send it in another batch"))
                return false
            }
        }
        if let quotas, let limits, !pending.isEmpty {
            do {
                try await quotas.admitDispatches(projectID, count: pending.count, limits: limits)
            } catch {
                for item in pending { outcomes[item.index] = .failure(error) }
                pending = []
            }
        }
        if !pending.isEmpty {
            let inserted = try await withSpan("insert") { span in
                span.attributes["inlet.events"] = pending.count
                return try await insertBatch(requests, pending)
            }
            var created = false
            for (item, result) in zip(pending, inserted) {
                guard let result else {
                    retry.append(item.index)
                    continue
                }
                outcomes[item.index] = .success(result)
                created = created || (result.dispatched > 0 && !result.duplicate)
                metrics?.record(
                    result.duplicate ? .duplicate : (result.dispatched > 0 ? .accepted : .unmatched),
                    projectID: projectID, via: requests[item.index].via.rawValue,
                    runs: result.duplicate ? 0 : result.dispatched)
            }
            if created { notifier?.runsCreated() }
        }
        for index in retry.sorted() {
            do {
                outcomes[index] = .success(try await dispatch(requests[index]))
            } catch {
                outcomes[index] = .failure(error)
            }
        }
        return outcomes.map { $0 ?? .failure(StoreError(.conflict, "the event was not dispatched; retry")) }
    }

    /// Validates and matches every event of the batch within one work budget: in place, or on an
    /// ``EvaluationLanes`` lane when the batch's payloads together are large.
    func evaluateBatch(_ requests: [DispatchRequest], routes: [SourceReference: SourceRoute]) async throws
        -> [Result<([SourceRoute.Target], [String?]), any Error>]
    {
        let steps = workBudgetSteps
        let isCancelled = requests.first?.isCancelled
        let work: @Sendable () -> [Result<([SourceRoute.Target], [String?]), any Error>] = {
            let budget = WorkBudget(steps: steps, isCancelled: isCancelled)
            return requests.map { request in
                guard let route = routes[request.source] else { return .success(([], [])) }
                return Result {
                    guard route.source.enabled else { throw StoreError(.conflict, "the event source is disabled") }
                    var payload = request.payload
                    if let schema = route.schema {
                        if payload.parsed == nil {
                            payload = EventPayload(
                                validatedText: payload.text, parsed: try payload.value(budget: budget))
                        }
                        try Self.validate(payload.parsed!, against: schema, budget: budget)
                    }
                    let targets = try route.matchingTargets(
                        payload: payload, headers: request.headers, budget: budget)
                    if request.orderingKey == nil, payload.parsed == nil,
                        targets.contains(where: { $0.orderingKeyPath != nil })
                    {
                        // A subscription reads the runs' ordering key from the payload: its tree, within the budget.
                        payload = EventPayload(validatedText: payload.text, parsed: try payload.value(budget: budget))
                    }
                    return (
                        targets, Self.orderingKeys(of: targets, given: request.orderingKey, payload: payload.parsed)
                    )
                }
            }
        }
        let bytes = requests.reduce(0) { $0 + $1.payload.text.count }
        guard let lanes, bytes >= lanes.threshold, let projectID = requests.first?.projectID else { return work() }
        return try await lanes.lanes.run(projectID: projectID, work)
    }

    /// Writes every accepted event of a batch and its runs with one statement. Returns, per pending event, its
    /// result, or `nil` when its cached source version was stale (or the source disabled meanwhile).
    /// An event of the batch that passed its evaluation, waiting for the insert.
    struct Pending {
        var index: Int
        var route: SourceRoute
        var targets: [SourceRoute.Target]
        var orderingKeys: [String?]
    }

    func insertBatch(_ requests: [DispatchRequest], _ pending: [Pending]) async throws -> [DispatchResult?] {
        let projectID = requests[pending[0].index].projectID
        var ordinals: [Int32] = [], sources: [UUID] = [], versions: [Int64] = [], eventIDs: [UUID] = []
        var keys: [String?] = [], payloads: [PostgresJSON] = [], headerValues: [PostgresJSON] = []
        var counts: [Int32] = [], deliverAts: [Date?] = [], delays: [Int64?] = [], requestIDs: [String?] = []
        var runIDs: [UUID] = [], runEvents: [UUID] = [], runJobs: [UUID] = [], runSubscriptions: [UUID] = []
        var runAttempts: [Int32] = [], runKeys: [String?] = [], eventKeys: [String?] = []
        for (ordinal, item) in pending.enumerated() {
            let request = requests[item.index]
            let eventID = UUID.v7()
            var headers = JSONObject()
            for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) { headers[name] = .string(value) }
            ordinals.append(Int32(ordinal))
            sources.append(item.route.source.id)
            versions.append(Int64(item.route.source.version))
            eventIDs.append(eventID)
            keys.append(request.idempotencyKey)
            payloads.append(PostgresJSON(bytes: request.payload.text))
            headerValues.append(JSONValue.object(headers).postgres)
            counts.append(Int32(item.targets.count))
            deliverAts.append(request.deliverAt)
            delays.append(request.delayMilliseconds)
            requestIDs.append(request.requestID)
            eventKeys.append(request.orderingKey)
            runKeys += item.orderingKeys
            for target in item.targets {
                runIDs.append(UUID.v7())
                runEvents.append(eventID)
                runJobs.append(target.jobID)
                runSubscriptions.append(target.subscriptionID)
                runAttempts.append(Int32(target.maxAttempts))
            }
        }
        let rows = try await translatingErrors {
            try await pool.query(
                Self.batchInsertSQL,
                [
                    projectID, ordinals, sources, versions, eventIDs, keys, payloads, headerValues, counts, deliverAts,
                    delays, requestIDs, requests[pending[0].index].via.rawValue, runIDs, runEvents, runJobs,
                    runSubscriptions, runAttempts, eventKeys, runKeys, requests[pending[0].index].traceparent,
                ])
        }
        var results = [DispatchResult?](repeating: nil, count: pending.count)
        var duplicates: [Int] = []
        for row in rows {
            let ordinal = try row.decode(Int.self, at: 0)
            guard try row.decode(Bool.self, at: 1) else { continue }  // stale or disabled: decided again
            if try row.decode(Bool.self, at: 2) {
                results[ordinal] = DispatchResult(
                    eventID: eventIDs[ordinal], dispatched: Int(counts[ordinal]), duplicate: false)
            } else {
                duplicates.append(ordinal)
            }
        }
        // Repeated idempotency keys (rare): the originals, read by a second statement as for a single dispatch;
        // this also finds an original written by an earlier event of this very batch.
        if !duplicates.isEmpty {
            let originals = try await pool.query(
                """
                SELECT k.ordinal, e.id, e.dispatched
                FROM unnest($2::int4[], $3::uuid[], $4::text[]) AS k (ordinal, source_id, key)
                JOIN events AS e ON e.project_id = $1 AND e.source_id = k.source_id AND e.idempotency_key = k.key
                """,
                [
                    projectID, duplicates.map { Int32($0) }, duplicates.map { sources[$0] },
                    duplicates.map { keys[$0] ?? "" },
                ])
            for row in originals {
                results[try row.decode(Int.self, at: 0)] = DispatchResult(
                    eventID: try row.decode(UUID.self, at: 1), dispatched: try row.decode(Int.self, at: 2),
                    duplicate: true)
            }
            for ordinal in duplicates where results[ordinal] == nil {
                throw StoreError(.conflict, "a duplicate event vanished; retry")
            }
        }
        return results
    }

    /// One statement for a batch: each event's source version is checked, the events are inserted in order
    /// (their runs too, in the batch's order, so that runs of one ordering key keep it: the migration's trigger
    /// blocks a keyed run behind a live run of its key, sql/0005_ordering_keys.sql)
    /// (a repeated idempotency key, even within the batch, inserts nothing), and the runs of the events inserted
    /// with one multi-row insert. One row per event: its ordinal, whether its source checked out, whether it was
    /// inserted.
    static let batchInsertSQL = """
        WITH input AS (
            SELECT *
            FROM unnest($2::int4[], $3::uuid[], $4::int8[], $5::uuid[], $6::text[], $7::jsonb[], $8::jsonb[],
                        $9::int4[], $10::timestamptz[], $11::int8[], $12::text[], $19::text[])
                AS i (ordinal, source_id, version, event_id, idempotency_key, payload, headers, dispatched,
                      deliver_at, delay_ms, request_id, ordering_key)
        ), checked AS (
            SELECT i.ordinal, i.event_id,
                   CASE WHEN i.deliver_at IS NOT NULL THEN i.deliver_at
                        WHEN coalesce(i.delay_ms, s.delivery_delay_ms) > 0
                        THEN now() + coalesce(i.delay_ms, s.delivery_delay_ms) * interval '1 millisecond'
                   END AS deliver_at
            FROM input AS i
            JOIN event_sources AS s ON s.project_id = $1 AND s.id = i.source_id AND s.version = i.version
                                   AND s.enabled
        ), inserted AS (
            INSERT INTO events (project_id, id, source_id, idempotency_key, payload, headers, via, verification,
                                request_id, dispatched, ordering_key, traceparent)
            SELECT $1, i.event_id, i.source_id, i.idempotency_key, i.payload, i.headers, $13, NULL, i.request_id,
                   i.dispatched, i.ordering_key, $21
            FROM input AS i JOIN checked AS c ON c.ordinal = i.ordinal
            ORDER BY i.ordinal
            ON CONFLICT (project_id, source_id, idempotency_key) DO NOTHING
            RETURNING id
        ), runs AS (
            INSERT INTO job_runs (project_id, id, event_id, job_id, subscription_id, max_attempts, request_id,
                                  deliver_at, run_at, ordering_key, traceparent)
            SELECT $1, r.id, r.event_id, r.job_id, r.subscription_id, r.max_attempts, i.request_id,
                   c.deliver_at, greatest(now(), c.deliver_at), r.ordering_key, $21
            FROM unnest($14::uuid[], $15::uuid[], $16::uuid[], $17::uuid[], $18::int4[], $20::text[])
                    WITH ORDINALITY AS r (id, event_id, job_id, subscription_id, max_attempts, ordering_key, n)
            JOIN inserted AS e ON e.id = r.event_id
            JOIN checked AS c ON c.event_id = r.event_id
            JOIN input AS i ON i.event_id = r.event_id
            ORDER BY r.n
            RETURNING 1
        )
        SELECT i.ordinal, c.ordinal IS NOT NULL, e.id IS NOT NULL
        FROM input AS i
        LEFT JOIN checked AS c ON c.ordinal = i.ordinal
        LEFT JOIN inserted AS e ON e.id = i.event_id
        ORDER BY i.ordinal
        """
}
