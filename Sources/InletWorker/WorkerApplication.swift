import Inlet
import InletStore
import Logging
import Postgres
import ServiceLifecycle

/// The whole `inlet-worker` process, built from its configuration: the database pool, the LISTEN connection, the
/// shared HTTP client, the worker and the retention pass, run in that order by a `ServiceGroup` that shuts them
/// down in reverse on SIGTERM or SIGINT.
public struct WorkerApplication: Sendable {
    public let configuration: WorkerConfiguration
    public let worker: Worker
    public let services: [any Service]
    let logger: Logger

    /// - Parameter handlers: Custom job kinds; `http` is added unless registered here.
    public init(
        configuration: WorkerConfiguration, handlers: JobHandlerRegistry = JobHandlerRegistry(),
        logger: Logger = Logger(label: "inlet.worker")
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
            queue: queue, configuration: configuration, handlers: handlers, listener: listener, logger: logger)
        let retention = RetentionService(queue: queue, retentionDays: configuration.retentionDays)
        self.configuration = configuration
        self.worker = worker
        self.services = [pool, listener, http, worker, retention]
        self.logger = logger
    }

    /// Runs until SIGTERM or SIGINT, then shuts down gracefully and returns.
    public func run() async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
