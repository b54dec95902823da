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

    /// An event of the batch that passed its evaluation, waiting for the insert.
    struct Pending {
        var index: Int
        var route: SourceRoute
        var targets: [SourceRoute.Target]
        var orderingKeys: [String?]
    }

    /// Writes every accepted event of a batch and its runs with one statement (``insertEvents(_:pool:)``). Returns, per
    /// pending event, its result, or `nil` when its cached source version was stale (or the source disabled).
    func insertBatch(_ requests: [DispatchRequest], _ pending: [Pending]) async throws -> [DispatchResult?] {
        try await Self.insertEvents(
            pending.map {
                EventInsert(
                    request: requests[$0.index], route: $0.route, targets: $0.targets, orderingKeys: $0.orderingKeys)
            }, pool: pool)
    }
}
