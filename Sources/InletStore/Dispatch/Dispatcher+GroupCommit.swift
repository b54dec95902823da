import Foundation
import Inlet
import Postgres
import Synchronization

/// One event that passed its evaluation, with its runs, waiting to be written.
struct EventInsert: Sendable {
    var request: DispatchRequest
    var route: SourceRoute
    var targets: [SourceRoute.Target]
    var orderingKeys: [String?]
}

/// Group commit: single dispatches that arrive together are written together, by one statement and one commit.
///
/// A dispatch ready to be written becomes a *writer* when fewer than `writers` statements are in flight: it writes
/// its own event together with every event waiting at that moment (up to ``maximumEvents`` events and
/// ``maximumRuns`` runs), answers their requests, and hands the writer's role to the oldest event still waiting.
/// Otherwise it waits to be written by a writer, or to become one. No timer: an idle server writes each event at
/// once, as before, and a busy one writes as many per statement as arrived during the previous statement.
///
/// Each request is answered only after the commit of the statement that wrote its event (a 202 still means the
/// event and its runs are on disk), with its own result: the statement checks each event's source version and
/// idempotency key separately. When a statement fails on a value (a refusal of one event's data), its events
/// are written again one by one, so that one bad event never fails its neighbours; a failure of the database
/// itself (unavailable, timed out) fails the events of that statement, as it would have failed each of them.
final class DispatchGroupCommit: Sendable {
    /// The most events one statement writes.
    static let maximumEvents = 100
    /// The most runs one statement writes (an event with more is written alone).
    static let maximumRuns = 1000

    private enum Signal: Sendable {
        case written(Result<DispatchResult?, any Error>)
        case write
    }

    private struct Waiter: Sendable {
        var item: EventInsert
        var continuation: CheckedContinuation<Signal, Never>
    }

    private struct State {
        var waiting: [Waiter] = []
        var writers = 0
    }

    private let state = Mutex(State())
    private let writers: Int
    private let insert: @Sendable ([EventInsert]) async throws -> [DispatchResult?]

    /// - Parameters:
    ///   - writers: The most statements in flight at once (at most the pool's connections).
    ///   - insert: Writes events with one statement (``Dispatcher/insertEvents(_:pool:)``).
    init(writers: Int, insert: @escaping @Sendable ([EventInsert]) async throws -> [DispatchResult?]) {
        self.writers = max(1, writers)
        self.insert = insert
    }

    /// The dispatches waiting to be written (for tests).
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// Writes `item` (with others waiting, when there are) and returns its result: `nil` when its cached source
    /// version was stale.
    func write(_ item: EventInsert) async throws -> DispatchResult? {
        let writesNow = state.withLock { state in
            guard state.writers < writers else { return false }
            state.writers += 1
            return true
        }
        if !writesNow {
            let signal = await withCheckedContinuation { (continuation: CheckedContinuation<Signal, Never>) in
                let writesNow = state.withLock { state in
                    guard state.writers < writers else {
                        state.waiting.append(Waiter(item: item, continuation: continuation))
                        return false
                    }
                    state.writers += 1
                    return true
                }
                if writesNow { continuation.resume(returning: .write) }
            }
            if case .written(let result) = signal { return try result.get() }
        }
        return try await writeAsWriter(item)
    }

    /// Writes `own` and the events waiting now, answers theirs, and hands the writer's role on.
    private func writeAsWriter(_ own: EventInsert) async throws -> DispatchResult? {
        let others = state.withLock { state -> [Waiter] in
            var runs = own.targets.count
            var taken = 0
            for waiter in state.waiting {
                guard taken + 1 < Self.maximumEvents, runs + waiter.item.targets.count <= Self.maximumRuns else {
                    break
                }
                runs += waiter.item.targets.count
                taken += 1
            }
            defer { state.waiting.removeFirst(taken) }
            return Array(state.waiting.prefix(taken))
        }
        let results: [Result<DispatchResult?, any Error>]
        if others.isEmpty {
            results = [await Self.result { try await self.insert([own]).first ?? nil }]
        } else {
            // Not in this request's task: its client hanging up must not cancel the other requests' statement.
            let items = [own] + others.map(\.item)
            results = await Task { await self.writeEach(items) }.value
        }
        for (waiter, result) in zip(others, results.dropFirst()) {
            waiter.continuation.resume(returning: .written(result))
        }
        let next = state.withLock { state -> Waiter? in
            guard !state.waiting.isEmpty else {
                state.writers -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.continuation.resume(returning: .write)
        return try results[0].get()
    }

    /// Writes `items` with one statement; when it fails on a value, writes each of them alone.
    private func writeEach(_ items: [EventInsert]) async -> [Result<DispatchResult?, any Error>] {
        do {
            return try await insert(items).map { .success($0) }
        } catch  where Self.isAboutTheData(error) {
            var results: [Result<DispatchResult?, any Error>] = []
            for item in items {
                results.append(await Self.result { try await self.insert([item]).first ?? nil })
            }
            return results
        } catch {
            return items.map { _ in .failure(error) }
        }
    }

    private static func result(_ body: () async throws -> DispatchResult?) async -> Result<DispatchResult?, any Error> {
        do {
            return .success(try await body())
        } catch {
            return .failure(error)
        }
    }

    /// Whether `error` refused some value of the statement (one event's data), rather than the statement as a
    /// whole: a `StoreError`, or SQLSTATE classes 22 (data exception), 23 (integrity) and 54 (program limit).
    static func isAboutTheData(_ error: any Error) -> Bool {
        if error is StoreError { return true }
        guard let error = error as? PostgresError, let state = error.sqlState else { return false }
        return ["22", "23", "54"].contains(String(state.prefix(2)))
    }
}

extension Dispatcher {
    /// Writes events and their runs with one statement (one transaction, one round trip), for any projects:
    /// each event's source version is checked, an event whose idempotency key was seen (even earlier in the same
    /// statement) inserts nothing, and the runs of the events inserted are written with one multi-row insert.
    /// Returns, per event, its result, or `nil` when its cached source version was stale (or the source was
    /// disabled meanwhile).
    static func insertEvents(_ items: [EventInsert], pool: PostgresPool) async throws -> [DispatchResult?] {
        var ordinals: [Int32] = [], projects: [UUID] = [], sources: [UUID] = [], versions: [Int64] = []
        var eventIDs: [UUID] = [], keys: [String?] = [], payloads: [PostgresJSON] = []
        var headerValues: [PostgresJSON] = [], counts: [Int32] = [], deliverAts: [Date?] = [], delays: [Int64?] = []
        var requestIDs: [String?] = [], eventKeys: [String?] = [], vias: [String] = [], verifications: [String?] = []
        var traceparents: [String?] = []
        var runIDs: [UUID] = [], runEvents: [UUID] = [], runJobs: [UUID] = [], runSubscriptions: [UUID] = []
        var runAttempts: [Int32] = [], runKeys: [String?] = []
        for (ordinal, item) in items.enumerated() {
            let request = item.request
            let eventID = UUID.v7()
            var headers = JSONObject()
            for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) { headers[name] = .string(value) }
            ordinals.append(Int32(ordinal))
            projects.append(request.projectID)
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
            vias.append(request.via.rawValue)
            verifications.append(request.verification)
            traceparents.append(request.traceparent)
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
                Self.insertEventsSQL,
                [
                    ordinals, projects, sources, versions, eventIDs, keys, payloads, headerValues, counts, deliverAts,
                    delays, requestIDs, eventKeys, vias, verifications, traceparents, runIDs, runEvents, runJobs,
                    runSubscriptions, runAttempts, runKeys,
                ])
        }
        var results = [DispatchResult?](repeating: nil, count: items.count)
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
        // Repeated idempotency keys (rare): the originals, read by a second statement as for a single dispatch
        // (see ``insert(_:route:targets:orderingKeys:)``); this also finds an original written by an earlier event
        // of this very statement.
        if !duplicates.isEmpty {
            let originals = try await pool.query(
                """
                SELECT k.ordinal, e.id, e.dispatched
                FROM unnest($1::int4[], $2::uuid[], $3::uuid[], $4::text[]) AS k (ordinal, project_id, source_id, key)
                JOIN events AS e ON e.project_id = k.project_id AND e.source_id = k.source_id
                                AND e.idempotency_key = k.key
                """,
                [
                    duplicates.map { Int32($0) }, duplicates.map { projects[$0] }, duplicates.map { sources[$0] },
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

    /// The statement of ``insertEvents(_:pool:)``: one row per event (its ordinal, whether its source checked out,
    /// whether it was inserted). A delayed event's runs get `deliver_at` and a `run_at` no earlier than it; a run
    /// with an ordering key behind a live run of its key is blocked by the trigger of sql/0005_ordering_keys.sql.
    static let insertEventsSQL = """
        WITH input AS (
            SELECT *
            FROM unnest($1::int4[], $2::uuid[], $3::uuid[], $4::int8[], $5::uuid[], $6::text[], $7::jsonb[],
                        $8::jsonb[], $9::int4[], $10::timestamptz[], $11::int8[], $12::text[], $13::text[],
                        $14::text[], $15::text[], $16::text[])
                AS i (ordinal, project_id, source_id, version, event_id, idempotency_key, payload, headers,
                      dispatched, deliver_at, delay_ms, request_id, ordering_key, via, verification, traceparent)
        ), checked AS (
            SELECT i.ordinal, i.event_id,
                   CASE WHEN i.deliver_at IS NOT NULL THEN i.deliver_at
                        WHEN coalesce(i.delay_ms, s.delivery_delay_ms) > 0
                        THEN now() + coalesce(i.delay_ms, s.delivery_delay_ms) * interval '1 millisecond'
                   END AS deliver_at
            FROM input AS i
            JOIN event_sources AS s ON s.project_id = i.project_id AND s.id = i.source_id AND s.version = i.version
                                   AND s.enabled
        ), inserted AS (
            INSERT INTO events (project_id, id, source_id, idempotency_key, payload, headers, via, verification,
                                request_id, dispatched, ordering_key, traceparent)
            SELECT i.project_id, i.event_id, i.source_id, i.idempotency_key, i.payload, i.headers, i.via,
                   i.verification, i.request_id, i.dispatched, i.ordering_key, i.traceparent
            FROM input AS i JOIN checked AS c ON c.ordinal = i.ordinal
            ORDER BY i.ordinal
            ON CONFLICT (project_id, source_id, idempotency_key) DO NOTHING
            RETURNING id
        ), runs AS (
            INSERT INTO job_runs (project_id, id, event_id, job_id, subscription_id, max_attempts, request_id,
                                  deliver_at, run_at, ordering_key, traceparent)
            SELECT i.project_id, r.id, r.event_id, r.job_id, r.subscription_id, r.max_attempts, i.request_id,
                   c.deliver_at, greatest(now(), c.deliver_at), r.ordering_key, i.traceparent
            FROM unnest($17::uuid[], $18::uuid[], $19::uuid[], $20::uuid[], $21::int4[], $22::text[])
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
