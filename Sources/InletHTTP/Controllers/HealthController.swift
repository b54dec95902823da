import Hummingbird
import Inlet
import InletStore

/// `/healthz` (the process is alive) and `/readyz` (the database answers and its migrations are current).
struct HealthController: Sendable {
    let readiness: DatabaseReadiness

    func addRoutes(to router: Router<InletRequestContext>) {
        router.get("healthz") { _, _ in JSONResponse.make(["status": "ok"]) }
        router.get("readyz") { _, _ in await self.readyz() }
    }

    func readyz() async -> Response {
        switch await readiness.check() {
        case .ready:
            return JSONResponse.make(["status": "ok"])
        case .migrationsPending(let versions):
            return JSONResponse.make(
                [
                    "status": "unavailable",
                    "reason": .string("migrations pending: \(versions); run inlet-server migrate"),
                ],
                status: .serviceUnavailable)
        case .databaseUnreachable:
            return JSONResponse.make(
                ["status": "unavailable", "reason": "the database is unreachable"], status: .serviceUnavailable)
        }
    }
}
