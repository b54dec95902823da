import Foundation
import Inlet
import InletConfiguration
import Logging

/// Everything `inlet-server` reads from its environment. See the README's configuration table.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var databaseURL: String
    public var databasePoolSize: Int
    public var databaseAcquireTimeoutMilliseconds: Int
    /// `INLET_STATEMENT_TIMEOUT_MS`: PostgreSQL cancels a statement of a request that runs longer, and the request
    /// answers 503. No API statement should come near it; it bounds what a pathological plan or a lock held
    /// elsewhere can cost a tenant's neighbours.
    public var statementTimeoutMilliseconds: Int
    /// `INLET_DISPATCH_GROUP_COMMIT`: single dispatches that arrive together are written by one statement and one
    /// commit (``groupCommitWriters`` statements at most in flight); `false` writes each with its own statement.
    public var groupCommit: Bool
    /// At most this many group-commit statements in flight: half the pool, so other requests keep connections.
    public var groupCommitWriters: Int { max(1, databasePoolSize / 2) }
    /// `INLET_SECRET_KEY`: seals signing secrets at rest (AES-GCM). Several comma-separated keys: the first seals.
    public var secretKey: String
    /// `INLET_ADMIN_TOKEN`: accepted as an admin key when set (bootstrapping, automation).
    public var adminToken: String?
    public var maxBodyBytes: Int
    /// `INLET_HTTP_IDLE_TIMEOUT_MS`: a connection that sends nothing for this long — between requests, or in the
    /// middle of a request's headers or body — is closed, so slow or stalled clients cannot hold connections (and
    /// their memory) forever. A request being answered is never cut.
    public var httpIdleTimeoutMilliseconds: Int
    /// `INLET_HTTP_REQUEST_TIMEOUT_MS`: a request's body must have arrived in full this long after its head, or the
    /// connection is closed — the bound on clients that trickle a body without ever going idle.
    public var httpRequestTimeoutMilliseconds: Int
    public var allowPrivateTargets: Bool
    /// `INLET_WORK_BUDGET_STEPS`: the evaluation steps one request may spend on its tenant's schema and filters
    /// (``WorkBudget``); above it the request is refused with 422 `work_budget_exceeded`.
    public var workBudgetSteps: Int
    /// Job kinds beyond `http` and `noop` that workers of this deployment handle.
    public var customJobKinds: Set<String>
    /// `INLET_METRICS_PROJECT_LABELS`: label dispatch and ingest series with the project id. Off by default: the
    /// series then count all projects together, and the number of series does not grow with tenants.
    public var metricsProjectLabels: Bool
    /// `INLET_CONSOLE`: serve the web console at `/console` (on by default). Its pages are static; everything it
    /// shows comes from the public API with the user's own key.
    public var console: Bool
    public var logLevel: Logger.Level
    public var logFormat: String

    public init(
        host: String = "127.0.0.1", port: Int = 8080, databaseURL: String, databasePoolSize: Int = 16,
        databaseAcquireTimeoutMilliseconds: Int = 2000, statementTimeoutMilliseconds: Int = 10_000,
        groupCommit: Bool = true, secretKey: String,
        adminToken: String? = nil,
        maxBodyBytes: Int = 1 << 20, httpIdleTimeoutMilliseconds: Int = 30_000,
        httpRequestTimeoutMilliseconds: Int = 60_000, allowPrivateTargets: Bool = false,
        workBudgetSteps: Int = WorkBudget.defaultSteps,
        customJobKinds: Set<String> = [], metricsProjectLabels: Bool = false, console: Bool = true,
        logLevel: Logger.Level = .info, logFormat: String = "text"
    ) {
        self.host = host
        self.port = port
        self.databaseURL = databaseURL
        self.databasePoolSize = databasePoolSize
        self.databaseAcquireTimeoutMilliseconds = databaseAcquireTimeoutMilliseconds
        self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
        self.groupCommit = groupCommit
        self.secretKey = secretKey
        self.adminToken = adminToken
        self.maxBodyBytes = maxBodyBytes
        self.httpIdleTimeoutMilliseconds = httpIdleTimeoutMilliseconds
        self.httpRequestTimeoutMilliseconds = httpRequestTimeoutMilliseconds
        self.allowPrivateTargets = allowPrivateTargets
        self.workBudgetSteps = workBudgetSteps
        self.customJobKinds = customJobKinds
        self.metricsProjectLabels = metricsProjectLabels
        self.console = console
        self.logLevel = logLevel
        self.logFormat = logFormat
    }

    /// Reads the configuration; a bad value throws an error naming the variable.
    public init(environment: [String: String]) throws(ConfigurationError) {
        let reader = SettingsReader(environment)
        self.init(
            host: reader.string("INLET_HOST") ?? "127.0.0.1",
            port: try reader.integer("INLET_PORT", default: 8080, range: 0...65535),
            databaseURL: try reader.required("DATABASE_URL", hint: "e.g. postgres://user@localhost:5432/inlet"),
            databasePoolSize: try reader.integer("INLET_DATABASE_POOL_SIZE", default: 16, range: 1...500),
            databaseAcquireTimeoutMilliseconds: try reader.integer(
                "INLET_DATABASE_ACQUIRE_TIMEOUT_MS", default: 2000, range: 10...60_000),
            statementTimeoutMilliseconds: try reader.integer(
                "INLET_STATEMENT_TIMEOUT_MS", default: 10_000, range: 100...3_600_000),
            groupCommit: try reader.boolean("INLET_DISPATCH_GROUP_COMMIT", default: true),
            secretKey: try reader.required(
                "INLET_SECRET_KEY", hint: "32 bytes as 64 hex characters or base64 (openssl rand -hex 32)"),
            adminToken: try reader.secret("INLET_ADMIN_TOKEN"),
            maxBodyBytes: try reader.integer("INLET_MAX_BODY_BYTES", default: 1 << 20, range: 1024...(64 << 20)),
            httpIdleTimeoutMilliseconds: try reader.integer(
                "INLET_HTTP_IDLE_TIMEOUT_MS", default: 30_000, range: 100...3_600_000),
            httpRequestTimeoutMilliseconds: try reader.integer(
                "INLET_HTTP_REQUEST_TIMEOUT_MS", default: 60_000, range: 100...3_600_000),
            allowPrivateTargets: try reader.boolean("INLET_ALLOW_PRIVATE_TARGETS", default: false),
            workBudgetSteps: try reader.integer(
                "INLET_WORK_BUDGET_STEPS", default: WorkBudget.defaultSteps, range: 10_000...1_000_000_000),
            customJobKinds: Set(
                (reader.string("INLET_CUSTOM_JOB_KINDS") ?? "").split(separator: ",").map {
                    $0.trimmingCharacters(in: .whitespaces)
                }.filter { !$0.isEmpty }),
            metricsProjectLabels: try reader.boolean("INLET_METRICS_PROJECT_LABELS", default: false),
            console: try reader.boolean("INLET_CONSOLE", default: true),
            logLevel: Logger.Level(
                rawValue: try reader.choice(
                    "INLET_LOG_LEVEL", default: "info",
                    allowed: ["trace", "debug", "info", "notice", "warning", "error", "critical"]))!,
            logFormat: try reader.choice("INLET_LOG_FORMAT", default: "text", allowed: ["text", "json"]))
        if let adminToken, adminToken.utf8.count < 32 {
            throw ConfigurationError(variable: "INLET_ADMIN_TOKEN", message: "must be at least 32 characters")
        }
        for kind in customJobKinds where !JobKind.isValidName(kind) {
            throw ConfigurationError(
                variable: "INLET_CUSTOM_JOB_KINDS", message: "\"\(kind)\" is not a valid job kind name")
        }
    }
}
