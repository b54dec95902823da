import Postgres
import Synchronization

/// Whether a process can do its work: the database answers and has every migration this code knows.
///
/// Shared by the server's and the worker's `/readyz`. Once the migrations were seen current they stay so for the
/// life of the process (only newer code adds migrations), so a ready check is then one `SELECT 1`.
public final class DatabaseReadiness: Sendable {
    public enum Status: Sendable, Equatable {
        case ready
        /// Migrations this code needs are not applied yet (their versions).
        case migrationsPending([Int])
        case databaseUnreachable
    }

    let pool: PostgresPool
    let migrator: Migrator
    private let migrationsCurrent = Atomic<Bool>(false)

    public init(pool: PostgresPool, migrator: Migrator) {
        self.pool = pool
        self.migrator = migrator
    }

    public func check() async -> Status {
        do {
            try await pool.query("SELECT 1")
            if !migrationsCurrent.load(ordering: .relaxed) {
                let pending = try await migrator.pending(pool)
                guard pending.isEmpty else { return .migrationsPending(pending) }
                migrationsCurrent.store(true, ordering: .relaxed)
            }
            return .ready
        } catch {
            return .databaseUnreachable
        }
    }
}
