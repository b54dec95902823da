import Foundation
import Inlet
import Postgres

/// What a client gives to create a job (validated by the API layer).
public struct JobDraft: Sendable {
    public var name: String
    public var kind: JobKind
    /// The config to store; for `http` jobs without its headers.
    public var config: JSONValue
    /// An `http` job's headers, sealed by the repository.
    public var headers: HTTPJobHeaders
    public var maxAttempts: Int
    public var enabled: Bool
    /// `nil`: the standard policy.
    public var retryPolicy: RetryPolicy?
    public var limits: JobLimits

    public init(
        name: String, kind: JobKind, config: JSONValue, headers: HTTPJobHeaders = HTTPJobHeaders(),
        maxAttempts: Int = Job.defaultMaxAttempts, enabled: Bool = true, retryPolicy: RetryPolicy? = nil,
        limits: JobLimits? = nil
    ) {
        self.retryPolicy = retryPolicy
        self.limits = limits ?? JobLimits.defaults(for: kind)
        self.name = name
        self.kind = kind
        self.config = config
        self.headers = headers
        self.maxAttempts = maxAttempts
        self.enabled = enabled
    }
}

/// A PATCH of a job, as stored: `config` is the whole new config (without headers), `headers` replaces the sealed
/// headers (empty clears them).
public struct JobPatch: Sendable {
    public var name: Patch<String> = .keep
    public var config: Patch<JSONValue> = .keep
    public var headers: Patch<HTTPJobHeaders> = .keep
    public var maxAttempts: Patch<Int> = .keep
    public var enabled: Patch<Bool> = .keep
    /// `.set(nil)` goes back to the standard policy.
    public var retryPolicy: Patch<RetryPolicy?> = .keep
    public var maxConcurrency: Patch<Int?> = .keep
    public var rateLimit: Patch<JobLimits.RateLimit?> = .keep
    public var breakerThreshold: Patch<Int?> = .keep
    public var breakerProbeSeconds: Patch<Int> = .keep
    public init() {}
}

/// Jobs of one project. A value of this type cannot read or change another project's rows.
public struct JobRepository: Sendable {
    public let projectID: UUID
    let pool: PostgresPool
    let secrets: SecretBox

    public init(projectID: UUID, pool: PostgresPool, secrets: SecretBox) {
        self.projectID = projectID
        self.pool = pool
        self.secrets = secrets
    }

    static let columns = """
        id, project_id, name, kind, config, max_attempts, enabled, created_at, updated_at, header_names, \
        max_concurrency, rate_per_second, rate_burst, breaker_threshold, breaker_probe_seconds, retry_policy, \
        previous_secret_expires_at
        """
    /// ``columns`` of `jobs AS j`, then the runtime state of `job_claim_state AS s`.
    static let columnsWithState = """
        j.id, j.project_id, j.name, j.kind, j.config, j.max_attempts, j.enabled, j.created_at, j.updated_at, \
        j.header_names, j.max_concurrency, j.rate_per_second, j.rate_burst, j.breaker_threshold, \
        j.breaker_probe_seconds, j.retry_policy, j.previous_secret_expires_at, s.breaker_state, s.breaker_since, s.consecutive_failures, s.last_error, s.probe_at, \
        s.running
        """
    static let fromWithState = """
        jobs AS j LEFT JOIN job_claim_state AS s ON s.project_id = j.project_id AND s.job_id = j.id
        """
    static let conflicts = [
        "jobs_project_id_name_key": "a job with this name already exists in the project",
        "jobs_project_id_fkey": "project not found",
        "subscriptions_project_id_target_id_fkey": "the job is the target of subscriptions; delete them first",
    ]

    /// The context job secrets are sealed under; the worker opens them with the same.
    public static func secretContext(_ id: UUID) -> String { "job:" + id.lowercasedString }

    /// Creates a job with a fresh Standard Webhooks signing secret, returned only here; its headers are sealed.
    public func create(_ draft: JobDraft) async throws -> (job: Job, signingSecret: SigningSecret) {
        let id = UUID.v7()
        let secret = SigningSecret.generate(for: .standardWebhooks)
        let sealed = Data(try secrets.seal(secret, context: Self.secretContext(id)))
        let sealedHeaders = try sealHeaders(draft.headers, jobID: id)
        let rows = try await translatingErrors(conflicts: Self.conflicts) {
            try await pool.query(
                """
                WITH quota AS (
                    SELECT coalesce((SELECT max_jobs FROM project_limits WHERE project_id = $2), $16) AS max_jobs
                )
                INSERT INTO jobs (
                    id, project_id, name, kind, config, max_attempts, enabled, signing_secret, header_names,
                    sealed_headers, max_concurrency, rate_per_second, rate_burst, breaker_threshold,
                    breaker_probe_seconds, retry_policy)
                SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $17
                FROM quota
                WHERE (SELECT count(*) FROM jobs WHERE project_id = $2) < quota.max_jobs
                RETURNING \(Self.columns)
                """,
                [
                    id, projectID, draft.name, draft.kind.rawValue, draft.config.postgres, draft.maxAttempts,
                    draft.enabled, sealed, draft.headers.names, sealedHeaders, draft.limits.maxConcurrency,
                    draft.limits.rateLimit?.perSecond, draft.limits.rateLimit?.burst, draft.limits.breakerThreshold,
                    draft.limits.breakerProbeSeconds, ProjectLimits.defaultMaxJobs, draft.retryPolicy?.json.postgres,
                ])
        }
        guard let row = rows.first else {
            throw try await quotaError(
                "max_jobs", "the project has reached its quota of jobs; delete one or ask an admin to raise it")
        }
        var job = try Self.job(row)
        job.circuit = JobCircuit()
        return (job, secret)
    }

    /// `headers` sealed for job `id`, or `nil` when there are none.
    func sealHeaders(_ headers: HTTPJobHeaders, jobID id: UUID) throws -> Data? {
        headers.isEmpty ? nil : Data(try secrets.seal(headers, jobID: id))
    }

    /// The refusal of a write over quota `name` (a 422 naming the limit and its value).
    func quotaError(_ name: String, _ message: String) async throws -> StoreError {
        try await Self.quotaError(projectID: projectID, pool: pool, name, message)
    }

    static func quotaError(projectID: UUID, pool: PostgresPool, _ name: String, _ message: String) async throws
        -> StoreError
    {
        let limits = try await ProjectRepository(pool: pool).limits(projectID)
        let value: Int =
            switch name {
            case "max_jobs": limits.effectiveMaxJobs
            case "max_subscriptions_per_source": limits.effectiveMaxSubscriptionsPerSource
            default: 0
            }
        return StoreError(
            .invalid, "\(message) (\(name) is \(value))",
            issues: [ValidationIssue(path: "/", message: "over the project's \(name) quota of \(value)", keyword: name)]
        )
    }

    public func get(_ id: UUID) async throws -> Job {
        let rows = try await pool.query(
            "SELECT \(Self.columnsWithState) FROM \(Self.fromWithState) WHERE j.project_id = $1 AND j.id = $2",
            [projectID, id])
        guard let row = rows.first else { throw StoreError.notFound("job") }
        return try Self.job(row)
    }

    public func list(_ page: Page) async throws -> PageResult<Job> {
        let rows = try await pool.query(
            """
            SELECT \(Self.columnsWithState) FROM \(Self.fromWithState)
            WHERE j.project_id = $1 AND ($2::uuid IS NULL OR j.id < $2) ORDER BY j.id DESC LIMIT $3
            """, [projectID, page.after, page.limit + 1])
        return PageResult(fetched: try rows.map(Self.job), limit: page.limit)
    }

    /// Applies a merge patch. `resolve` sees the stored job (locked) and returns the patch to store — e.g. a config
    /// merged into the stored one, validated, with its defaults filled in and its headers split out — or throws to
    /// refuse it. Headers the patch leaves alone stay sealed as they are.
    public func update(_ id: UUID, resolve: @Sendable (Job) throws -> JobPatch) async throws -> Job {
        _ = try await updateJob(id, resolve: resolve)
        return try await get(id)
    }

    private func updateJob(_ id: UUID, resolve: @Sendable (Job) throws -> JobPatch) async throws -> Job {
        try await translatingErrors(conflicts: Self.conflicts) {
            try await pool.withTransaction { connection in
                let current = try await connection.query(
                    "SELECT \(Self.columns) FROM jobs WHERE project_id = $1 AND id = $2 FOR UPDATE", [projectID, id])
                guard let row = current.first else { throw StoreError.notFound("job") }
                var job = try Self.job(row)
                let patch = try resolve(job)
                job.name = patch.name.applied(to: job.name)
                job.config = patch.config.applied(to: job.config)
                job.maxAttempts = patch.maxAttempts.applied(to: job.maxAttempts)
                job.enabled = patch.enabled.applied(to: job.enabled)
                job.retryPolicy = patch.retryPolicy.applied(to: job.retryPolicy)
                job.limits.maxConcurrency = patch.maxConcurrency.applied(to: job.limits.maxConcurrency)
                job.limits.rateLimit = patch.rateLimit.applied(to: job.limits.rateLimit)
                job.limits.breakerThreshold = patch.breakerThreshold.applied(to: job.limits.breakerThreshold)
                job.limits.breakerProbeSeconds = patch.breakerProbeSeconds.applied(
                    to: job.limits.breakerProbeSeconds)
                var replaceHeaders = false
                var headerNames: [String] = []
                var sealedHeaders: Data?
                if case .set(let headers) = patch.headers {
                    replaceHeaders = true
                    headerNames = headers.names
                    sealedHeaders = try sealHeaders(headers, jobID: id)
                }
                // Subscriptions of this job feed dispatch caches keyed by source version.
                let rows = try await connection.query(
                    """
                    WITH updated AS (
                        UPDATE jobs SET name = $3, config = $4, max_attempts = $5, enabled = $6, updated_at = now(),
                            header_names = CASE WHEN $7 THEN $8 ELSE header_names END,
                            sealed_headers = CASE WHEN $7 THEN $9 ELSE sealed_headers END,
                            max_concurrency = $10, rate_per_second = $11, rate_burst = $12, breaker_threshold = $13,
                            breaker_probe_seconds = $14, retry_policy = $15
                        WHERE project_id = $1 AND id = $2 RETURNING \(Self.columns)
                    ), bumped AS (
                        UPDATE event_sources SET version = version + 1
                        WHERE project_id = $1 AND id IN (SELECT source_id FROM subscriptions WHERE project_id = $1 AND target_id = $2)
                    )
                    SELECT * FROM updated
                    """,
                    [
                        projectID, id, job.name, job.config.postgres, job.maxAttempts, job.enabled, replaceHeaders,
                        headerNames, sealedHeaders, job.limits.maxConcurrency, job.limits.rateLimit?.perSecond,
                        job.limits.rateLimit?.burst, job.limits.breakerThreshold, job.limits.breakerProbeSeconds,
                        job.retryPolicy?.json.postgres,
                    ])
                return try Self.job(rows[0])
            }
        }
    }

    /// Deletes a job; refused with a conflict while subscriptions target it.
    public func delete(_ id: UUID) async throws {
        let rows = try await translatingErrors(conflicts: Self.conflicts) {
            try await pool.query("DELETE FROM jobs WHERE project_id = $1 AND id = $2", [projectID, id])
        }
        guard rows.affectedRows == 1 else { throw StoreError.notFound("job") }
    }

    /// Closes the job's circuit by hand: its runs are delivered again at once, and its failure count starts over.
    /// Returns the job with its state.
    public func closeCircuit(_ id: UUID) async throws -> Job {
        let rows = try await pool.query(
            """
            UPDATE job_claim_state
            SET breaker_state = 'closed', breaker_since = CASE WHEN breaker_state <> 'closed' THEN now()
                                                               ELSE breaker_since END,
                consecutive_failures = 0, probe_at = NULL, probe_interval_s = 0, updated_at = now()
            WHERE project_id = $1 AND job_id = $2
            RETURNING 1
            """, [projectID, id])
        guard rows.count == 1 else { throw StoreError.notFound("job") }
        return try await get(id)
    }

    static func job(_ row: PostgresRow) throws -> Job {
        var job = Job(
            id: try row.decode(UUID.self, at: 0), projectID: try row.decode(UUID.self, at: 1),
            name: try row.decode(String.self, at: 2), kind: JobKind(rawValue: try row.decode(String.self, at: 3)),
            config: try row.decodeJSON(at: 4), headerNames: try row.decode([String].self, at: 9),
            maxAttempts: try row.decode(Int.self, at: 5),
            enabled: try row.decode(Bool.self, at: 6), createdAt: try row.decode(Date.self, at: 7),
            updatedAt: try row.decode(Date.self, at: 8),
            retryPolicy: try row.decodeOptionalJSON(at: 15).flatMap { try? RetryPolicy(json: $0) },
            previousSecretExpiresAt: try row.decode(Date?.self, at: 16))
        let perSecond = try row.decode(Double?.self, at: 11)
        let burst = try row.decode(Int?.self, at: 12)
        job.limits = JobLimits(
            maxConcurrency: try row.decode(Int?.self, at: 10),
            rateLimit: perSecond.map { JobLimits.RateLimit(perSecond: $0, burst: burst ?? 1) },
            breakerThreshold: try row.decode(Int?.self, at: 13), breakerProbeSeconds: try row.decode(Int.self, at: 14))
        if row.columnCount > 17 {
            job.circuit = JobCircuit(
                state: CircuitState(rawValue: try row.decode(String?.self, at: 17) ?? "closed") ?? .closed,
                since: try row.decode(Date?.self, at: 18), consecutiveFailures: try row.decode(Int?.self, at: 19) ?? 0,
                lastError: try row.decode(String?.self, at: 20), nextProbeAt: try row.decode(Date?.self, at: 21),
                running: try row.decode(Int?.self, at: 22) ?? 0)
        }
        return job
    }
}
