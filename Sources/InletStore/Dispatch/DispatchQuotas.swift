import Foundation
import Inlet
import Postgres
import Synchronization

/// A dispatch refused because the project is over its `max_dispatches_per_second` quota (a 429).
public struct DispatchRateLimited: Error, Sendable, CustomStringConvertible {
    public let limit: Int
    /// Whole seconds until a dispatch can be accepted again (at least 1).
    public let retryAfterSeconds: Int

    public var description: String {
        "the project is over its quota of \(limit) dispatches per second (max_dispatches_per_second); "
            + "retry after \(retryAfterSeconds) s"
    }
}

/// The project quotas dispatch enforces: the fan-out limit (`max_runs_per_event`) and the dispatch rate
/// (`max_dispatches_per_second`), shared by every API node.
///
/// Limits are cached per node for ``cacheSeconds`` (an admin's change applies within that time everywhere).
/// The rate is one token bucket per project in the database (`project_dispatch_budget`, refilled at the quota per
/// second, one second of burst), which nodes draw on in slices of a tenth of a second's worth (at most 1000): a
/// dispatch costs the database nothing while its node's slice lasts, and one small statement when it runs out. A
/// node's unused slice expires after a second, so all nodes together can exceed the quota by at most one slice each.
public final class DispatchQuotas: Sendable {
    let pool: PostgresPool
    let cacheSeconds: Double
    private let cached = Mutex<[UUID: (limits: ProjectLimits, until: ContinuousClock.Instant)]>([:])
    private let slices = Mutex<[UUID: Slice]>([:])

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

    /// Whether this node holds a live slice of the project's bucket (admitting a dispatch then costs no statement).
    public func holdsSlice(_ projectID: UUID) -> Bool {
        let now = ContinuousClock.now
        return slices.withLock { $0[projectID].map { $0.until > now && $0.remaining > 0 } ?? false }
    }

    /// A node's share of a project's bucket: what is left of its slice, until when, and the fetch in flight.
    struct Slice {
        var remaining = 0
        var until = ContinuousClock.now
        var fetching: Task<Void, any Error>?
    }

    /// Takes one dispatch from the project's rate quota, or throws ``DispatchRateLimited``. Requests that find this
    /// node's slice empty wait for one fetch of the next slice (one statement, whatever the concurrency).
    public func admitDispatch(_ projectID: UUID, limits: ProjectLimits) async throws {
        let rate = limits.effectiveMaxDispatchesPerSecond
        for _ in 0..<8 {
            let now = ContinuousClock.now
            let fetch: Task<Void, any Error>? = slices.withLock { slices in
                var slice = slices[projectID] ?? Slice()
                if slice.until > now, slice.remaining > 0 {
                    slice.remaining -= 1
                    slices[projectID] = slice
                    return nil
                }
                if let task = slice.fetching { return task }
                if slices.count > 100_000 { slices = slices.filter { $0.value.until > now } }
                let task = Task { try await self.fetchSlice(projectID, rate: rate) }
                slice.fetching = task
                slices[projectID] = slice
                return task
            }
            guard let fetch else { return }
            try await fetch.value
        }
        throw DispatchRateLimited(limit: rate, retryAfterSeconds: 1)
    }

    private func fetchSlice(_ projectID: UUID, rate: Int) async throws {
        do {
            let size = max(1, min(1000, rate / 10))
            let rows = try await pool.query(Self.takeSliceSQL, [projectID, Double(rate), size])
            let granted = try rows[0].decode(Int.self, at: 0)
            let tokens = try rows[0].decode(Double.self, at: 1)
            let now = ContinuousClock.now
            slices.withLock { slices in
                var slice = slices[projectID] ?? Slice()
                slice.fetching = nil
                slice.remaining = (slice.until > now ? slice.remaining : 0) + granted
                slice.until = now.advanced(by: .seconds(1))
                slices[projectID] = slice
            }
            guard granted > 0 else {
                throw DispatchRateLimited(
                    limit: rate, retryAfterSeconds: max(1, Int(((1 - tokens) / Double(rate)).rounded(.up))))
            }
        } catch {
            slices.withLock { $0[projectID]?.fetching = nil }
            throw error
        }
    }

    /// Refills the bucket (capacity: one second of the quota) and grants up to a slice of whole tokens.
    static let takeSliceSQL = """
        INSERT INTO project_dispatch_budget AS b (project_id, tokens, tokens_at, granted)
        VALUES ($1, $2::float8 - least($3::int, floor($2::float8)), now(), least($3::int, floor($2::float8)))
        ON CONFLICT (project_id) DO UPDATE
        SET granted = least($3::int, floor(least($2::float8, b.tokens + $2::float8 * extract(epoch FROM now() - b.tokens_at)))),
            tokens = least($2::float8, b.tokens + $2::float8 * extract(epoch FROM now() - b.tokens_at))
                     - least($3::int, floor(least($2::float8, b.tokens + $2::float8 * extract(epoch FROM now() - b.tokens_at)))),
            tokens_at = now()
        RETURNING granted, tokens
        """

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
