import Foundation
import Inlet
import Postgres
import Synchronization

/// Compiled ``SourceRoute``s per (project, source reference), shared by all requests of a server node.
///
/// Entries are never trusted blindly: dispatch writes only if the source's `version` in the database still equals
/// the cached one (checked inside the dispatch statement), so a change made through any node is seen by the next
/// dispatch everywhere; a mismatch reloads the entry.
public final class SourceRouteCache: Sendable {
    struct Key: Hashable {
        let projectID: UUID
        let reference: String
    }

    private let pool: PostgresPool
    private let entries = Mutex<[Key: SourceRoute]>([:])
    private let capacity: Int

    public init(pool: PostgresPool, capacity: Int = 10_000) {
        self.pool = pool
        self.capacity = capacity
    }

    /// The cached route, or a freshly loaded one.
    public func route(projectID: UUID, reference: String) async throws -> SourceRoute {
        if let cached = entries.withLock({ $0[Key(projectID: projectID, reference: reference)] }) { return cached }
        return try await reload(projectID: projectID, reference: reference)
    }

    /// Loads the route from the database (two round trips) and caches it.
    @discardableResult
    public func reload(projectID: UUID, reference: String) async throws -> SourceRoute {
        let key = Key(projectID: projectID, reference: reference)
        let route: SourceRoute
        do {
            route = try await load(projectID: projectID, reference: reference)
        } catch {
            entries.withLock { $0[key] = nil }
            throw error
        }
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = route
        }
        return route
    }

    private func load(projectID: UUID, reference: String) async throws -> SourceRoute {
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
                try SubscriptionRepository.subscription(row), jobEnabled: try row.decode(Bool.self, at: 9),
                maxAttempts: try row.decode(Int.self, at: 10)
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
