import Hummingbird
import Inlet
import InletStore
import Postgres
import Synchronization

/// `/healthz` (the process is alive) and `/readyz` (the database answers and its migrations are current).
final class HealthController: Sendable {
    let pool: PostgresPool
    let migrator: Migrator
    /// Once migrations were seen current they stay so for this process (only newer code adds migrations).
    private let migrationsCurrent = Atomic<Bool>(false)

    init(pool: PostgresPool, migrator: Migrator) {
        self.pool = pool
        self.migrator = migrator
    }

    func addRoutes(to router: Router<InletRequestContext>) {
        router.get("healthz") { _, _ in JSONResponse.make(["status": "ok"]) }
        router.get("readyz") { _, _ in await self.readiness() }
    }

    func readiness() async -> Response {
        do {
            try await pool.query("SELECT 1")
            if !migrationsCurrent.load(ordering: .relaxed) {
                let pending = try await migrator.pending(pool)
                guard pending.isEmpty else {
                    return JSONResponse.make(
                        [
                            "status": "unavailable",
                            "reason": .string("migrations pending: \(pending); run inlet-server migrate"),
                        ],
                        status: .serviceUnavailable)
                }
                migrationsCurrent.store(true, ordering: .relaxed)
            }
            return JSONResponse.make(["status": "ok"])
        } catch {
            return JSONResponse.make(
                ["status": "unavailable", "reason": "the database is unreachable"], status: .serviceUnavailable)
        }
    }
}
