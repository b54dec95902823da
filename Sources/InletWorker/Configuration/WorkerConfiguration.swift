import Foundation
import Inlet
import InletConfiguration
import Logging
import Postgres

/// How an `inlet-worker` runs, read from environment variables (see `docs/worker.md`).
public struct WorkerConfiguration: Sendable {
    /// libpq URL of the database (`DATABASE_URL`, required).
    public var databaseURL: String
    /// Opens the jobs' signing secrets (`INLET_SECRET_KEY`, required).
    public var secretBox: SecretBox
    /// Recorded as the lease owner and on every attempt (`INLET_WORKER_ID`, default `hostname-pid`).
    public var workerID: String
    /// Most handler executions at once (`INLET_WORKER_CONCURRENCY`). Built-in `noop` runs complete inline and
    /// do not occupy a slot.
    public var concurrency: Int
    /// Most runs taken per claim statement (`INLET_WORKER_BATCH_SIZE`). A batch is claimed when a slot is free and
    /// no claimed run is waiting; runs beyond the free slots wait in the worker for one.
    public var batchSize: Int
    /// How long a claimed run stays leased without a heartbeat (`INLET_WORKER_LEASE_SECONDS`).
    public var leaseSeconds: Int
    /// How often the worker looks for runs when no `NOTIFY` woke it (`INLET_WORKER_POLL_INTERVAL_MS`).
    public var pollInterval: Duration
    /// How long runs in flight at shutdown may take to finish before they are handed back
    /// (`INLET_WORKER_SHUTDOWN_GRACE_SECONDS`).
    public var shutdownGrace: Duration
    /// Finished runs and events older than this many days are deleted (`INLET_RETENTION_DAYS`).
    public var retentionDays: Int
    /// Lifts the SSRF guard on http targets (`INLET_ALLOW_PRIVATE_TARGETS`).
    public var allowPrivateTargets: Bool
    /// Database connections of the worker's pool (`INLET_DATABASE_POOL_SIZE`).
    public var databasePoolSize: Int
    /// `INLET_LOG_LEVEL`: trace, debug, info, notice, warning, error or critical.
    public var logLevel: Logger.Level
    /// The port of the worker's `/metrics`, `/healthz` and `/readyz` (`INLET_WORKER_METRICS_PORT`); 0 serves none.
    public var metricsPort: Int
    /// The address that port listens on (`INLET_WORKER_METRICS_HOST`).
    public var metricsHost: String

    public static let defaultConcurrency = 64
    public static let defaultBatchSize = 100
    public static let defaultLeaseSeconds = 30
    public static let defaultPollInterval = Duration.milliseconds(1000)
    public static let defaultShutdownGrace = Duration.seconds(25)
    public static let defaultRetentionDays = 7
    /// Claims, completion flushes, and heartbeats, rescues and retention sharing the rest.
    public static let defaultDatabasePoolSize = 4
    public static let defaultMetricsPort = 9090
    public static let defaultMetricsHost = "127.0.0.1"

    public init(
        databaseURL: String, secretBox: SecretBox, workerID: String = WorkerConfiguration.defaultWorkerID(),
        concurrency: Int = defaultConcurrency, batchSize: Int = defaultBatchSize,
        leaseSeconds: Int = defaultLeaseSeconds, pollInterval: Duration = defaultPollInterval,
        shutdownGrace: Duration = defaultShutdownGrace, retentionDays: Int = defaultRetentionDays,
        allowPrivateTargets: Bool = false, databasePoolSize: Int = defaultDatabasePoolSize,
        logLevel: Logger.Level = .info, metricsPort: Int = defaultMetricsPort, metricsHost: String = defaultMetricsHost
    ) {
        self.databaseURL = databaseURL
        self.secretBox = secretBox
        self.workerID = workerID
        self.concurrency = concurrency
        self.batchSize = batchSize
        self.leaseSeconds = leaseSeconds
        self.pollInterval = pollInterval
        self.shutdownGrace = shutdownGrace
        self.retentionDays = retentionDays
        self.allowPrivateTargets = allowPrivateTargets
        self.databasePoolSize = databasePoolSize
        self.logLevel = logLevel
        self.metricsPort = metricsPort
        self.metricsHost = metricsHost
    }

    /// Reads the configuration from `environment`; unset or empty variables take their defaults.
    ///
    /// - Throws: ``WorkerConfigurationError`` naming the first variable that is missing or invalid.
    public init(environment: [String: String]) throws(WorkerConfigurationError) {
        let reader = SettingsReader(environment)
        let databaseURL = try reader.required("DATABASE_URL")
        do {
            _ = try PostgresConfiguration(url: databaseURL)
        } catch {
            throw WorkerConfigurationError(
                variable: "DATABASE_URL", message: (error as? PostgresError)?.message ?? "\(error)")
        }
        let secretText = try reader.required("INLET_SECRET_KEY")
        let secretBox: SecretBox
        do {
            secretBox = try SecretBox(configuration: secretText)
        } catch {
            throw WorkerConfigurationError(variable: "INLET_SECRET_KEY", message: error.message)
        }
        let workerID = try reader.string("INLET_WORKER_ID", default: Self.defaultWorkerID()) { value in
            guard value.utf8.count <= 128, !value.contains(where: { $0.isNewline || $0 == "\u{0}" }) else {
                return "must be a single line of at most 128 bytes"
            }
            return nil
        }
        self.init(
            databaseURL: databaseURL,
            secretBox: secretBox,
            workerID: workerID,
            concurrency: try reader.integer(
                "INLET_WORKER_CONCURRENCY", default: Self.defaultConcurrency, range: 1...10_000),
            batchSize: try reader.integer("INLET_WORKER_BATCH_SIZE", default: Self.defaultBatchSize, range: 1...10_000),
            leaseSeconds: try reader.integer(
                "INLET_WORKER_LEASE_SECONDS", default: Self.defaultLeaseSeconds, range: 1...86_400),
            pollInterval: .milliseconds(
                try reader.integer("INLET_WORKER_POLL_INTERVAL_MS", default: 1000, range: 10...3_600_000)),
            shutdownGrace: .seconds(
                try reader.integer("INLET_WORKER_SHUTDOWN_GRACE_SECONDS", default: 25, range: 0...3600)),
            retentionDays: try reader.integer(
                "INLET_RETENTION_DAYS", default: Self.defaultRetentionDays, range: 1...36_500),
            allowPrivateTargets: try reader.boolean("INLET_ALLOW_PRIVATE_TARGETS", default: false),
            databasePoolSize: try reader.integer(
                "INLET_DATABASE_POOL_SIZE", default: Self.defaultDatabasePoolSize, range: 2...200),
            logLevel: try reader.logLevel("INLET_LOG_LEVEL", default: .info),
            metricsPort: try reader.integer(
                "INLET_WORKER_METRICS_PORT", default: Self.defaultMetricsPort, range: 0...65535),
            metricsHost: try reader.string("INLET_WORKER_METRICS_HOST", default: Self.defaultMetricsHost) { value in
                value.contains(where: { $0.isWhitespace || $0 == "/" }) ? "must be a host name or IP address" : nil
            })
    }

    /// `hostname-pid`, unique among the workers running at one time.
    public static func defaultWorkerID() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let host =
            gethostname(&buffer, buffer.count) == 0
            ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        return "\(host.isEmpty ? "worker" : host)-\(getpid())"
    }

    /// How often a worker renews its leases: a third of the lease, so two heartbeats can fail before it expires.
    public var heartbeatInterval: Duration { .milliseconds(leaseSeconds * 1000 / 3) }

    /// How often a worker looks for expired leases to rescue: a third of the lease, between 1 and 10 seconds.
    public var rescueInterval: Duration { .milliseconds(min(10_000, max(1000, leaseSeconds * 1000 / 3))) }
}

extension SettingsReader {
    /// A free-form setting checked by `problem` (a message, or `nil` when the value is fine).
    func string(_ name: String, default fallback: String, problem: (String) -> String?) throws(ConfigurationError)
        -> String
    {
        guard let value = string(name) else { return fallback }
        if let message = problem(value) { throw ConfigurationError(variable: name, message: message) }
        return value
    }

    func logLevel(_ name: String, default fallback: Logger.Level) throws(ConfigurationError) -> Logger.Level {
        Logger.Level(
            rawValue: try choice(name, default: fallback.rawValue, allowed: Logger.Level.allCases.map(\.rawValue)))!
    }
}
