import Foundation
import Hummingbird
import Inlet
import InletStore
import Logging
import NIOCore
import Postgres
import Prometheus
import ServiceLifecycle

/// Builds the HTTP application: the pool, repositories, router and services. `inlet-server serve` runs it, and
/// tests call the same function. `services` run beside the server's own and stop after the server (the span
/// exporter: the spans of requests that finish during shutdown are still sent).
public func buildApplication(
    configuration: ServerConfiguration, logger: Logger = Logger(label: "inlet.server"),
    metricsRegistry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), services: [any Service] = []
) async throws -> some ApplicationProtocol {
    let pool = try makePool(configuration, logger: logger)
    let secrets = try SecretBox(configuration: configuration.secretKey)
    let migrator = Migrator(migrations: try Migration.load(from: Migration.defaultDirectory()), logger: logger)
    let notifier = RunNotifier(pool: pool, logger: logger)
    let router = buildRouter(
        services: Services(
            pool: pool, secrets: secrets, projects: ProjectRepository(pool: pool), notifier: notifier,
            configuration: configuration),
        migrator: migrator, metrics: MetricsController(registry: metricsRegistry, pool: pool))
    let requestDeadline = TimeAmount.milliseconds(Int64(configuration.httpRequestTimeoutMilliseconds))
    var application = Application(
        router: router,
        server: .http1(
            configuration: .init(
                additionalChannelHandlers: [
                    RequestDeadlineHandler(deadline: requestDeadline), UnreadBodyHandler(), ClientHangUpHandler(),
                ],
                idleTimeout: .milliseconds(Int64(configuration.httpIdleTimeoutMilliseconds)))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "inlet"),
        logger: logger)
    application.addServices(services + [pool, notifier])
    return application
}

/// The connection pool of a server, from its configuration. Connections that serve requests (`servesRequests`)
/// carry `INLET_STATEMENT_TIMEOUT_MS`; the admin commands and migrations run without one.
public func makePool(_ configuration: ServerConfiguration, logger: Logger, servesRequests: Bool = true) throws
    -> PostgresPool
{
    var database = try PostgresConfiguration(url: configuration.databaseURL, applicationName: "inlet-server")
    if servesRequests { database.statementTimeoutMilliseconds = configuration.statementTimeoutMilliseconds }
    return PostgresPool(
        configuration: database,
        poolConfiguration: PostgresPoolConfiguration(
            maxConnections: configuration.databasePoolSize,
            acquireTimeout: .milliseconds(configuration.databaseAcquireTimeoutMilliseconds)),
        logger: logger)
}

func buildRouter(
    services: Services, migrator: Migrator, metrics: MetricsController
) -> Router<InletRequestContext> {
    let router = Router(context: InletRequestContext.self)
    // Outermost: the request's span (a child of the caller's `traceparent`) covers everything below, and the log
    // lines written inside it carry its trace id. A no-op unless tracing is on (InletTracing).
    router.add(middleware: TracingMiddleware())
    router.add(middleware: TraceContextMiddleware())
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: HTTPMetricsMiddleware(factory: metrics.factory))
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: RequestLogMiddleware())
    HealthController(readiness: DatabaseReadiness(pool: services.pool, migrator: migrator)).addRoutes(to: router)
    OpenAPIController().addRoutes(to: router)
    if services.configuration.console { ConsoleController().addRoutes(to: router) }
    let authentication = AuthMiddleware(
        projects: services.projects, adminToken: services.configuration.adminToken)
    metrics.addRoutes(to: router.group().add(middleware: authentication).group(context: AuthenticatedContext.self))
    let v1 = router.group("v1").add(middleware: NoStoreMiddleware()).add(middleware: authentication)
        .group(context: AuthenticatedContext.self)
    EventSourceController(services: services).addRoutes(to: v1)
    SubscriptionController(services: services).addRoutes(to: v1)
    ExplainController(services: services).addRoutes(to: v1)
    JobController(services: services).addRoutes(to: v1)
    ProjectController(services: services).addRoutes(to: v1)
    let routes = SourceRouteCache(pool: services.pool)
    let dispatcher = Dispatcher(
        pool: services.pool, routes: routes, notifier: services.notifier,
        metrics: DispatchMetrics(
            factory: metrics.factory, projectLabels: services.configuration.metricsProjectLabels),
        workBudgetSteps: services.configuration.workBudgetSteps, quotas: DispatchQuotas(pool: services.pool),
        groupCommitWriters: services.configuration.groupCommit ? services.configuration.groupCommitWriters : nil)
    DispatchController(services: services, dispatcher: dispatcher).addRoutes(to: v1)
    IngestController(
        services: services, dispatcher: dispatcher,
        metrics: IngestMetrics(
            factory: metrics.factory, projectLabels: services.configuration.metricsProjectLabels)
    ).addRoutes(to: router)
    EventController(services: services, dispatcher: dispatcher).addRoutes(to: v1)
    RecoveryController(services: services, dispatcher: dispatcher).addRoutes(to: v1)
    RunController(services: services).addRoutes(to: v1)
    StatsController(services: services).addRoutes(to: v1)
    return router
}
