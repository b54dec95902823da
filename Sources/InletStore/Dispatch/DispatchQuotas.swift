import Foundation
import Inlet
import Postgres
import Synchronization

/// A dispatch refused because the project is over its `max_dispatches_per_second` quota (a 429).
public struct DispatchRateLimited: Error, Sendable, CustomStringConvertible {
    public let limit: Int
    /// The quota's name: `max_dispatches_per_second` or `max_event_bytes_per_second`.
    public var quota = "max_dispatches_per_second"
    /// Whole seconds until a dispatch can be accepted again (at least 1).
    public let retryAfterSeconds: Int

    public init(limit: Int, retryAfterSeconds: Int, quota: String = "max_dispatches_per_second") {
        self.limit = limit
        self.retryAfterSeconds = retryAfterSeconds
        self.quota = quota
    }

    public var description: String {
        let unit = quota == "max_dispatches_per_second" ? "dispatches" : "request-body bytes"
        return "the project is over its quota of \(limit) \(unit) per second (\(quota)); "
            + "retry after \(retryAfterSeconds) s"
    }
}

/// The project quotas dispatch enforces: the fan-out limit (`max_runs_per_event`), the dispatch rate
/// (`max_dispatches_per_second`) and the byte rate (`max_event_bytes_per_second`), the rates shared by every API
/// node through ``TokenBuckets`` (`project_dispatch_budget`, `project_byte_budget`).
///
/// Limits are cached per node for ``cacheSeconds`` (an admin's change applies within that time everywhere).
public final class DispatchQuotas: Sendable {
    let pool: PostgresPool
    let cacheSeconds: Double
    private let cached = Mutex<[UUID: (limits: ProjectLimits, until: ContinuousClock.Instant)]>([:])

    public init(pool: PostgresPool, cacheSeconds: Double = 5) {
        self.pool = pool
        self.cacheSeconds = cacheSeconds
    }

    /// The project's limits, from this node's cache when fresh.
    public func limits(_ projectID: UUID) async throws -> ProjectLimits {
        let now = ContinuousClock.now
        if let entry = cached.withLock({ $0[projectID] }), entry.until > now { return entry.limits }
        let limits = try await ProjectRepository(pool: pool).limits(projectID)
        cached.withLock { cache in
            if cache.count > 100_000 { cache.removeAll() }
            cache[projectID] = (limits, now.advanced(by: .milliseconds(Int64(cacheSeconds * 1000))))
        }
        return limits
    }

    /// Whether this node holds a live slice of the project's dispatch bucket (admitting a dispatch then costs no
    /// statement).
    public func holdsSlice(_ projectID: UUID) -> Bool {
        dispatches.holdsSlice(projectID)
    }

    /// Takes one dispatch from the project's rate quota, or throws ``DispatchRateLimited``. Requests that find this
    /// node's slice empty wait for one fetch of the next slice (one statement, whatever the concurrency).
    public func admitDispatch(_ projectID: UUID, limits: ProjectLimits) async throws {
        try await dispatches.admit(projectID, cost: 1, rate: limits.effectiveMaxDispatchesPerSecond, pool: pool)
    }

    /// Takes `count` dispatches at once (the accepted events of a batch) from the project's rate quota, or throws
    /// ``DispatchRateLimited`` and takes none.
    public func admitDispatches(_ projectID: UUID, count: Int, limits: ProjectLimits) async throws {
        guard count > 0 else { return }
        try await dispatches.admit(projectID, cost: count, rate: limits.effectiveMaxDispatchesPerSecond, pool: pool)
    }

    /// Takes `bytes` from the project's byte-rate quota (`max_event_bytes_per_second`), or throws
    /// ``DispatchRateLimited``. Called when a dispatch or ingest request arrives, before its payload is evaluated.
    public func admitBytes(_ projectID: UUID, _ bytes: Int, limits: ProjectLimits) async throws {
        guard bytes > 0 else { return }
        try await self.bytes.admit(projectID, cost: bytes, rate: limits.effectiveMaxEventBytesPerSecond, pool: pool)
    }

    private let dispatches = TokenBuckets(
        table: "project_dispatch_budget", quota: "max_dispatches_per_second", largestSlice: 1000)
    private let bytes = TokenBuckets(
        table: "project_byte_budget", quota: "max_event_bytes_per_second", largestSlice: 1 << 30)

    /// Refuses an event that would create more runs than the project's `max_runs_per_event`.
    public static func checkFanOut(_ runs: Int, limits: ProjectLimits) throws {
        let limit = limits.effectiveMaxRunsPerEvent
        guard runs > limit else { return }
        throw StoreError(
            .invalid,
            "the event matches \(runs) subscriptions, more than the project's quota of \(limit) runs per event "
                + "(max_runs_per_event); nothing was dispatched",
            issues: [
                ValidationIssue(
                    path: "/", message: "\(runs) matching subscriptions; max_runs_per_event is \(limit)",
                    keyword: "max_runs_per_event")
            ])
    }
}

/// One token bucket per project in the database (`table`: refilled at the quota per second, one second of
/// capacity), drawn on by each API node in slices of a tenth of a second's worth (at least the request's cost, at
/// most `largestSlice`):
/// admitting a request costs the database nothing while the node's slice lasts, and one small statement when it
/// runs out. A node's unused slice expires after a second, so all nodes together can exceed the quota by at most
/// one slice each. A cost above a second's worth is admitted when the bucket is full and leaves it in debt.
final class TokenBuckets: Sendable {
    let quota: String
    let largestSlice: Int
    let takeSliceSQL: String
    private let slices = Mutex<[UUID: Slice]>([:])

    init(table: String, quota: String, largestSlice: Int) {
        self.quota = quota
        self.largestSlice = largestSlice
        // $2 rate per second, $3 the slice wanted, $4 the least grant that admits the request.
        let available = "least($2::float8, b.tokens + $2::float8 * extract(epoch FROM now() - b.tokens_at))"
        let grant = { (available: String) in
            "CASE WHEN \(available) >= least($4::float8, $2::float8) "
                + "THEN greatest($4::float8, least($3::float8, floor(\(available)))) ELSE 0 END"
        }
        self.takeSliceSQL = """
            INSERT INTO \(table) AS b (project_id, tokens, tokens_at, granted)
            VALUES ($1, $2::float8 - (\(grant("$2::float8"))), now(), (\(grant("$2::float8"))))
            ON CONFLICT (project_id) DO UPDATE
            SET granted = \(grant(available)),
                tokens = \(available) - (\(grant(available))),
                tokens_at = now()
            RETURNING granted::int8, tokens
            """
    }

    /// A node's share of a project's bucket: what is left of its slice, until when, the fetch in flight, and the
    /// bucket's level when the database last refused a slice.
    struct Slice {
        var remaining = 0
        var until = ContinuousClock.now
        var fetching: Task<Void, any Error>?
        var refusal: (tokens: Double, at: ContinuousClock.Instant)?

        /// Whether the bucket cannot hold `needed` tokens yet, and if so in how many whole seconds it may: from
        /// the last refusal's level and the refill rate. Other nodes only take tokens, so this level is an upper
        /// bound, and a request it refuses would have been refused by the database too (without the statement:
        /// a client that ignores `Retry-After` costs the database nothing).
        func refusesUntilRefilled(_ needed: Int, rate: Int, now: ContinuousClock.Instant) -> Int? {
            guard let refusal else { return nil }
            let elapsed = refusal.at.duration(to: now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            let missing = Double(min(needed, rate)) - (refusal.tokens + Double(rate) * seconds)
            guard missing > 0 else { return nil }
            return max(1, Int((missing / Double(rate)).rounded(.up)))
        }
    }

    enum Admission {
        case admitted
        case waitFor(Task<Void, any Error>)
        case refused(retryAfterSeconds: Int)
    }

    func holdsSlice(_ projectID: UUID) -> Bool {
        let now = ContinuousClock.now
        return slices.withLock { $0[projectID].map { $0.until > now && $0.remaining > 0 } ?? false }
    }

    /// Takes `cost` from the project's bucket, or throws ``DispatchRateLimited``.
    func admit(_ projectID: UUID, cost: Int, rate: Int, pool: PostgresPool) async throws {
        for _ in 0..<8 {
            let now = ContinuousClock.now
            let admission: Admission = slices.withLock { slices in
                var slice = slices[projectID] ?? Slice()
                if slice.until > now, slice.remaining >= cost {
                    slice.remaining -= cost
                    slices[projectID] = slice
                    return .admitted
                }
                if let task = slice.fetching { return .waitFor(task) }
                let held = slice.until > now ? slice.remaining : 0
                if let seconds = slice.refusesUntilRefilled(cost - held, rate: rate, now: now) {
                    return .refused(retryAfterSeconds: seconds)
                }
                if slices.count > 100_000 { slices = slices.filter { $0.value.until > now } }
                let task = Task { try await self.fetchSlice(projectID, rate: rate, need: cost - held, pool: pool) }
                slice.fetching = task
                slices[projectID] = slice
                return .waitFor(task)
            }
            switch admission {
            case .admitted: return
            case .waitFor(let fetch): try await fetch.value
            case .refused(let seconds):
                throw DispatchRateLimited(limit: rate, retryAfterSeconds: seconds, quota: quota)
            }
        }
        throw DispatchRateLimited(limit: rate, retryAfterSeconds: 1, quota: quota)
    }

    private func fetchSlice(_ projectID: UUID, rate: Int, need: Int, pool: PostgresPool) async throws {
        do {
            let size = max(need, min(largestSlice, max(1, rate / 10)))
            let rows = try await pool.query(takeSliceSQL, [projectID, Double(rate), Double(size), Double(need)])
            let granted = try rows[0].decode(Int.self, at: 0)
            let tokens = try rows[0].decode(Double.self, at: 1)
            let now = ContinuousClock.now
            slices.withLock { slices in
                var slice = slices[projectID] ?? Slice()
                slice.fetching = nil
                slice.remaining = (slice.until > now ? slice.remaining : 0) + granted
                slice.until = now.advanced(by: .seconds(1))
                slice.refusal = granted > 0 ? nil : (tokens, now)
                slices[projectID] = slice
            }
            guard granted > 0 else {
                let missing = Double(min(need, rate)) - tokens
                throw DispatchRateLimited(
                    limit: rate, retryAfterSeconds: max(1, Int((missing / Double(rate)).rounded(.up))), quota: quota)
            }
        } catch {
            slices.withLock { $0[projectID]?.fetching = nil }
            throw error
        }
    }
}
