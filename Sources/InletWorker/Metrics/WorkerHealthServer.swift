import Hummingbird
import InletStore
import Logging
import Metrics
import NIOCore
import Postgres
import Prometheus
import ServiceLifecycle

/// The worker's small HTTP port (`INLET_WORKER_METRICS_PORT`): `GET /metrics` (Prometheus text of the worker's
/// registry), `GET /healthz` (the process is alive) and `GET /readyz` (the database answers and its migrations
/// are current; 503 otherwise), as a `Service` of the worker's group.
///
/// It is started with the worker and stops after the worker has drained, so a scrape sees the end of a shutdown.
public struct WorkerHealthServer: Service {
    let host: String
    let port: Int
    let registry: PrometheusCollectorRegistry
    let readiness: DatabaseReadiness
    let worker: Worker
    let pool: PostgresPool
    let logger: Logger

    public init(
        host: String, port: Int, registry: PrometheusCollectorRegistry, readiness: DatabaseReadiness, worker: Worker,
        pool: PostgresPool, logger: Logger
    ) {
        self.host = host
        self.port = port
        self.registry = registry
        self.readiness = readiness
        self.worker = worker
        self.pool = pool
        self.logger = logger
    }

    public func run() async throws {
        let router = Router()
        router.get("healthz") { _, _ in Self.json(#"{"status":"ok"}"#) }
        router.get("readyz") { _, _ in await self.readyz() }
        router.get("metrics") { _, _ in self.scrape() }
        var serverLogger = logger
        serverLogger.logLevel = max(logger.logLevel, .warning)  // no line per scrape
        let host = self.host
        let logger = self.logger
        let application = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "inlet-worker"),
            onServerRunning: { channel in
                logger.info(
                    "serving /metrics, /healthz and /readyz",
                    metadata: ["address": "\(host):\(channel.localAddress?.port ?? 0)"])
            },
            logger: serverLogger)
        do {
            try await application.run()
        } catch let error as IOError {
            throw WorkerConfigurationError(
                variable: "INLET_WORKER_METRICS_PORT",
                message: "cannot listen on \(host):\(port) (\(error)); choose another port, or 0 to serve none")
        }
    }

    func readyz() async -> Response {
        switch await readiness.check() {
        case .ready:
            return Self.json(#"{"status":"ok"}"#)
        case .migrationsPending(let versions):
            let list = versions.map(String.init).joined(separator: ",")
            return Self.json(
                #"{"status":"unavailable","reason":"migrations pending: [\#(list)]; run inlet-server migrate"}"#,
                status: .serviceUnavailable)
        case .databaseUnreachable:
            return Self.json(
                #"{"status":"unavailable","reason":"the database is unreachable"}"#, status: .serviceUnavailable)
        }
    }

    /// Refreshes the gauges that describe this moment, then renders the registry.
    func scrape() -> Response {
        let factory = PrometheusMetricsFactory(registry: registry)
        let statistics = pool.statistics
        for (state, value) in [
            ("in_use", statistics.inUse), ("idle", statistics.idle), ("waiting", statistics.waiting),
        ] {
            Gauge(label: "inlet_db_pool_connections", dimensions: [("state", state)], factory: factory).record(value)
        }
        Gauge(label: "inlet_worker_runs_executing", factory: factory).record(worker.executingCount)
        Gauge(label: "inlet_worker_runs_waiting", factory: factory).record(worker.waitingCount)
        var buffer = ByteBuffer()
        buffer.writeBytes(registry.emitToBuffer())
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: buffer))
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
