import Foundation
import Hummingbird
import InletStore
import Metrics
import NIOCore
import Postgres
import Prometheus
import Synchronization

/// `GET /metrics` in Prometheus text format, for admin keys only (a scraper sends the admin token as a bearer
/// token): the figures describe every tenant. Pool and queue gauges are refreshed at scrape time (the queue
/// figures at most every 5 s, since they cost a query).
final class MetricsController: Sendable {
    let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    let pool: PostgresPool
    private let lastQueueRefresh = Mutex<ContinuousClock.Instant?>(nil)

    init(registry: PrometheusCollectorRegistry, pool: PostgresPool) {
        self.registry = registry
        self.factory = PrometheusMetricsFactory(registry: registry)
        self.pool = pool
    }

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("metrics") { _, context in
            guard case .admin = context.principal else {
                throw APIError(.forbidden, code: "forbidden", "metrics are served to admin keys only")
            }
            return await self.scrape()
        }
    }

    func scrape() async -> Response {
        let statistics = pool.statistics
        for (state, value) in [
            ("in_use", statistics.inUse), ("idle", statistics.idle), ("waiting", statistics.waiting),
        ] {
            Gauge(label: "inlet_db_pool_connections", dimensions: [("state", state)], factory: factory).record(value)
        }
        await refreshQueueGauges()
        var buffer = ByteBuffer()
        buffer.writeBytes(registry.emitToBuffer())
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: buffer))
    }

    private func refreshQueueGauges() async {
        let due = lastQueueRefresh.withLock { last -> Bool in
            if let last, last.duration(to: .now) < .seconds(5) { return false }
            last = .now
            return true
        }
        guard due else { return }
        do {
            let summary = try await JobRunQueue(pool: pool).summary()
            Gauge(label: "inlet_runs_queued", factory: factory).record(summary.runnable)
            Gauge(label: "inlet_runs_running", factory: factory).record(summary.running)
            Gauge(label: "inlet_runs_oldest_queued_age_seconds", factory: factory).record(
                summary.oldestRunnableAgeSeconds)
            for (state, count) in [("open", summary.openCircuits), ("half_open", summary.halfOpenCircuits)] {
                Gauge(label: "inlet_job_circuits", dimensions: [("state", state)], factory: factory).record(count)
            }
        } catch {
            // The database is down: the pool gauges and /readyz already say so.
        }
    }
}
