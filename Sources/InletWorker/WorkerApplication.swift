import Inlet
import InletStore
import Logging
import Metrics
import Postgres
import Prometheus
import ServiceLifecycle

/// The whole `inlet-worker` process, built from its configuration: the database pool, the LISTEN connection, the
/// shared HTTP client, the metrics and health port, the worker and the retention pass, run in that order by a
/// `ServiceGroup` that shuts them down in reverse on SIGTERM or SIGINT.
public struct WorkerApplication: Sendable {
    public let configuration: WorkerConfiguration
    public let worker: Worker
    public let services: [any Service]
    /// The worker's metrics, served at `/metrics` on ``WorkerConfiguration/metricsPort``.
    public let metricsRegistry: PrometheusCollectorRegistry
    let logger: Logger

    /// - Parameters:
    ///   - handlers: Custom job kinds; `http` is added unless registered here.
    ///   - metricsRegistry: Receives the worker's metrics (no global `MetricsSystem` bootstrap needed).
    ///   - tracing: The span exporter, started first and stopped last (so the last runs' spans are still sent).
    /// - Throws: When the database URL is invalid, or the metrics port is on and the `sql/` migrations (which
    ///   `/readyz` compares with the database) cannot be found.
    public init(
        configuration: WorkerConfiguration, handlers: JobHandlerRegistry = JobHandlerRegistry(),
        logger: Logger = Logger(label: "inlet.worker"),
        metricsRegistry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), tracing: (any Service)? = nil
    ) throws {
        let database = try PostgresConfiguration(url: configuration.databaseURL, applicationName: "inlet-worker")
        let pool = PostgresPool(
            configuration: database,
            poolConfiguration: PostgresPoolConfiguration(maxConnections: configuration.databasePoolSize),
            logger: Logger(label: "inlet.worker.database"))
        let listener = PostgresListener(configuration: database, channels: [Worker.wakeChannel])
        let http = HTTPJobHandler(
            allowPrivateTargets: configuration.allowPrivateTargets,
            maximumConnectionsPerHost: configuration.concurrency)
        var handlers = handlers
        if !handlers.handles(.http) { handlers.register(http, for: .http) }
        let queue = JobRunQueue(pool: pool)
        let worker = Worker(
            queue: queue, configuration: configuration, handlers: handlers, listener: listener, logger: logger,
            metricsFactory: PrometheusMetricsFactory(registry: metricsRegistry))
        let retention = RetentionService(
            queue: queue, retentionDays: configuration.retentionDays, secretBox: configuration.secretBox)
        var services: [any Service] = (tracing.map { [$0] } ?? []) + [pool, listener, http]
        if configuration.metricsPort != 0 {
            let migrator = Migrator(migrations: try Migration.load(from: Migration.defaultDirectory()), logger: logger)
            services.append(
                WorkerHealthServer(
                    host: configuration.metricsHost, port: configuration.metricsPort, registry: metricsRegistry,
                    readiness: DatabaseReadiness(pool: pool, migrator: migrator), worker: worker, pool: pool,
                    logger: logger))
        }
        services += [worker, retention]
        self.configuration = configuration
        self.worker = worker
        self.services = services
        self.metricsRegistry = metricsRegistry
        self.logger = logger
    }

    /// Runs until SIGTERM or SIGINT, then shuts down gracefully and returns.
    ///
    /// A service that fails (the metrics port is taken, say) also shuts the others down gracefully before the error
    /// is rethrown: the services start together, so the worker may have claimed runs by then, and it hands them back
    /// instead of leaving them leased to a process that is gone (to wait for the lease and lose an attempt).
    public func run() async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { .init(service: $0, failureTerminationBehavior: .gracefullyShutdownGroup) },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
