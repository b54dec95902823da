import Foundation
import Inlet
import Postgres
import Synchronization

/// Compiled ``SourceRoute``s per (project, source reference), shared by all requests of a server node.
///
/// An entry is never the last word: dispatch writes only if the source's `version` in the database still equals
/// the cached one (checked inside the dispatch statement), and a refusal decided on a cached entry (disabled
/// source, schema violation) is answered only after ``isCurrent(_:)`` confirmed that version. Every change to a
/// source, its subscriptions or their jobs bumps the version, so whichever node took the change, the next
/// answer of every node is decided on the changed state. A stale entry is reloaded.
///
/// The cache is bounded by the estimated size of its compiled routes (``SourceRoute/estimatedBytes``) and, per
/// project, by a number of entries; the least recently used go first (``RouteTable``). Names are matched exactly
/// and ids by their text as given, so two spellings of one id are two entries: the per-project bound keeps that
/// the tenant's own cost.
public final class SourceRouteCache: Sendable {
    typealias Key = RouteTable.Key

    private let pool: PostgresPool
    private let entries: Mutex<RouteTable>

    /// `byteLimit` bounds the estimated memory of all compiled routes; `projectLimit` the entries of one project.
    public init(pool: PostgresPool, byteLimit: Int = 64 << 20, projectLimit: Int = 1_000) {
        self.pool = pool
        self.entries = Mutex(RouteTable(byteLimit: byteLimit, projectLimit: projectLimit))
    }

    /// The cached route, or a freshly loaded one.
    public func route(projectID: UUID, source reference: SourceReference) async throws -> SourceRoute {
        let key = Key(projectID: projectID, reference: reference)
        if let cached = entries.withLock({ $0.route(for: key) }) { return cached }
        return try await reload(projectID: projectID, source: reference)
    }

    /// Loads the route from the database (two round trips) and caches it.
    @discardableResult
    public func reload(projectID: UUID, source reference: SourceReference) async throws -> SourceRoute {
        let key = Key(projectID: projectID, reference: reference)
        let route: SourceRoute
        do {
            route = try await load(projectID: projectID, reference: reference)
        } catch {
            entries.withLock { $0.remove(key) }
            throw error
        }
        entries.withLock { $0.insert(route, for: key) }
        return route
    }

    /// Whether `route` still describes the stored source (one indexed read of its version). Answers that do not
    /// pass through the dispatch statement's own version check confirm their route with it first.
    public func isCurrent(_ route: SourceRoute) async throws -> Bool {
        let version = try await EventSourceRepository.version(
            pool: pool, projectID: route.source.projectID, sourceID: route.source.id)
        return version == route.source.version
    }

    private func load(projectID: UUID, reference: SourceReference) async throws -> SourceRoute {
        let source = try await EventSourceRepository.findSource(pool: pool, projectID: projectID, reference: reference)
        let rows = try await pool.query(
            """
            SELECT \(SubscriptionRepository.columns.split(separator: ",").map { "s." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")),
                   j.enabled, j.max_attempts
            FROM subscriptions s JOIN jobs j ON j.project_id = s.project_id AND j.id = s.target_id
            WHERE s.project_id = $1 AND s.source_id = $2 ORDER BY s.id
            """, [projectID, source.id])
        let subscriptions = try rows.map { row in
            (
                try SubscriptionRepository.subscription(row), jobEnabled: try row.decode(Bool.self, at: 10),
                maxAttempts: try row.decode(Int.self, at: 11)
            )
        }
        do {
            return try SourceRoute(source: source, subscriptions: subscriptions)
        } catch {
            // Stored schemas and filters were validated on write; one that no longer compiles is a server error.
            throw StoreError(
                .invalid, "the event source's schema or a subscription filter no longer compiles: \(error)")
        }
    }
}
