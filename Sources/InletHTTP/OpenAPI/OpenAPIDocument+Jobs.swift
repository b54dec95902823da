import Inlet
import InletStore

/// `/v1/jobs`: the targets subscriptions point at.
extension OpenAPIDocument {
    static var jobSchemas: [(String, JSONValue)] {
        let maxAttempts = OpenAPISchema.integer(
            minimum: Job.maxAttemptsRange.lowerBound, maximum: Job.maxAttemptsRange.upperBound,
            description: "Attempts before a run is dead (default \(Job.defaultMaxAttempts))")
        let kind = OpenAPISchema.string(
            pattern: "^[a-z][a-z0-9_.-]{0,63}$",
            description: "http, noop, or a custom kind this deployment runs (INLET_CUSTOM_JOB_KINDS)")
        let maxConcurrency = OpenAPISchema.nullable(
            OpenAPISchema.integer(
                minimum: JobLimits.maxConcurrencyRange.lowerBound, maximum: JobLimits.maxConcurrencyRange.upperBound,
                description: "Most runs of the job running at once across every worker; null for no limit. Default "
                    + "\(JobLimits.defaultHTTPConcurrency) for http jobs, no limit for other kinds"))
        let rateLimit = OpenAPISchema.nullable(
            OpenAPISchema.object(
                [
                    "per_second": [
                        "type": "number", "minimum": 0.001, "maximum": 100000,
                        "description": "Run starts per second, on average",
                    ],
                    "burst": OpenAPISchema.integer(
                        minimum: 1, maximum: 100000,
                        description: "Starts allowed at once (default: per_second rounded up)"),
                ], required: ["per_second"],
                description: "A token bucket enforced when runs are claimed; null (default) for no limit"))
        let circuitBreaker = OpenAPISchema.nullable(
            OpenAPISchema.object(
                [
                    "failure_threshold": OpenAPISchema.integer(
                        minimum: 1, maximum: 10000,
                        description: "Consecutive failed attempts that open the circuit (default "
                            + "\(JobLimits.defaultBreakerThreshold))"),
                    "probe_interval_seconds": OpenAPISchema.integer(
                        minimum: 1, maximum: 3600,
                        description: "Wait before the first probe of an open circuit, doubled after each failed probe "
                            + "up to 300 s (default \(JobLimits.defaultBreakerProbeSeconds))"),
                ],
                description: "The circuit breaker (on by default); null turns it off"))
        let circuit = OpenAPISchema.object(
            [
                "state": OpenAPISchema.enumeration(
                    ["closed", "open", "half_open"],
                    description: "open: runs stay queued without using attempts until a probe; half_open: the probe "
                        + "runs"),
                "since": OpenAPISchema.nullable(OpenAPISchema.timestamp),
                "consecutive_failures": OpenAPISchema.integer(minimum: 0),
                "last_error": OpenAPISchema.nullable(OpenAPISchema.string()),
                "next_probe_at": OpenAPISchema.nullable(OpenAPISchema.timestamp),
                "running": OpenAPISchema.integer(
                    minimum: 0, description: "Runs running now that hold a max_concurrency slot"),
            ], required: ["state", "since", "consecutive_failures", "last_error", "next_probe_at", "running"],
            description: "Read-only runtime state")
        let job = OpenAPISchema.object(
            [
                "max_concurrency": maxConcurrency,
                "rate_limit": rateLimit,
                "circuit_breaker": circuitBreaker,
                "circuit": circuit,
                "id": OpenAPISchema.uuid,
                "project_id": OpenAPISchema.uuid,
                "name": OpenAPISchema.name,
                "kind": kind,
                "config": OpenAPISchema.described(
                    OpenAPISchema.anyObject,
                    "Per kind: an HTTPJobConfigShown for http (defaults filled in, header values never shown), "
                        + "{} for noop"),
                "max_attempts": maxAttempts,
                "enabled": OpenAPISchema.boolean,
                "created_at": OpenAPISchema.timestamp,
                "updated_at": OpenAPISchema.timestamp,
                "retry_policy": OpenAPISchema.described(
                    OpenAPISchema.ref("RetryPolicy"), "The job's retry policy in full (the default when none was set)"),
                "previous_secret_expires_at": OpenAPISchema.nullable(
                    OpenAPISchema.described(
                        OpenAPISchema.timestamp,
                        "After rotate-secret: until when deliveries also carry a signature under the replaced secret")
                ),
            ],
            required: [
                "id", "project_id", "name", "kind", "config", "max_attempts", "enabled", "created_at", "updated_at",
                "retry_policy", "previous_secret_expires_at",
                "max_concurrency", "rate_limit", "circuit_breaker", "circuit",
            ]
        ).adding("if", ["properties": ["kind": ["const": "http"]]]).adding(
            "then", ["properties": ["config": OpenAPISchema.ref("HTTPJobConfigShown")]])
        let fields: KeyValuePairs<String, JSONValue> = [
            "name": OpenAPISchema.name,
            "config": OpenAPISchema.described(
                OpenAPISchema.anyObject,
                "Per kind: an HTTPJobConfig for http, {} for noop; validated per kind, 422 when invalid"),
            "max_attempts": maxAttempts,
            "enabled": OpenAPISchema.boolean,
            "retry_policy": OpenAPISchema.described(
                OpenAPISchema.nullable(retryPolicySchema),
                "How failed runs are retried; null or left out: the default policy"),
            "max_concurrency": maxConcurrency,
            "rate_limit": rateLimit,
            "circuit_breaker": circuitBreaker,
        ]
        let timeout = OpenAPISchema.integer(
            minimum: 1, maximum: HTTPJobConfiguration.maximumTimeoutMilliseconds,
            description: "Default \(HTTPJobConfiguration.defaultTimeoutMilliseconds)")
        let url = OpenAPISchema.string(
            maxLength: 2048, format: "uri",
            description: "http or https; private, loopback and link-local targets are refused unless "
                + "INLET_ALLOW_PRIVATE_TARGETS=true")
        return [
            ("Job", job),
            (
                "JobWithSecret",
                OpenAPISchema.extending(
                    job,
                    with: [
                        "signing_secret": OpenAPISchema.string(
                            pattern: "^whsec_",
                            description: "Signs deliveries (Standard Webhooks); shown only in the create response")
                    ], required: ["signing_secret"])
            ),
            (
                "JobCreate",
                OpenAPISchema.extending(
                    OpenAPISchema.object(fields, required: ["name", "kind"]),
                    with: [
                        "project_id": OpenAPISchema.described(
                            OpenAPISchema.uuid, "Optional with a project key; required with an admin key"),
                        "kind": kind,
                    ]
                ).adding(
                    "examples",
                    [
                        [
                            "name": "fulfil-order", "kind": "http", "max_attempts": 5, "max_concurrency": 8,
                            "circuit_breaker": ["failure_threshold": 20, "probe_interval_seconds": 10],
                            "config": [
                                "url": "https://example.com/hooks/orders", "timeout_ms": 5000,
                                "headers": ["authorization": "Bearer secret-token"],
                            ],
                        ],
                        ["name": "noop-sink", "kind": "noop"],
                    ])
            ),
            (
                "JobUpdate",
                OpenAPISchema.object(
                    fields,
                    description:
                        "A merge; kind cannot change. An http job's config is merged into the stored one: members "
                        + "given replace, null resets a member to its default; headers left out are kept, "
                        + "headers: null removes them all, a headers object replaces them all. Other kinds' "
                        + "config is replaced whole."
                ).adding(
                    "examples",
                    [
                        ["max_attempts": 3, "enabled": false],
                        ["retry_policy": ["delays_ms": [5000, 60000, 600000], "max_age_ms": 86_400_000]],
                        ["max_concurrency": 4, "rate_limit": ["per_second": 10, "burst": 20]],
                        ["config": ["headers": ["authorization": "Bearer new-token"]]],
                    ])
            ),
            (
                "JobRotateSecret",
                OpenAPISchema.object(
                    [
                        "grace_period_seconds": OpenAPISchema.integer(
                            minimum: 0, maximum: JobRepository.maximumGracePeriodSeconds,
                            description: "How long the replaced secret keeps signing too (default 86400; 0: not at all)"
                        )
                    ]
                ).adding("examples", [["grace_period_seconds": 3600]])
            ),
            (
                "HTTPJobConfig",
                OpenAPISchema.object(
                    [
                        "url": url,
                        "method": OpenAPISchema.enumeration(
                            ["POST", "PUT", "PATCH"], description: "Default POST; accepted in any case"),
                        "headers": [
                            "type": "object", "maxProperties": 50,
                            "additionalProperties": OpenAPISchema.string(maxLength: 4096),
                            "description": .string(
                                "Extra request headers; Inlet's own (content-type, webhook-*, …) cannot be set. "
                                    + "Write-only: the values are stored encrypted and never returned; responses "
                                    + "list the names in header_names"),
                        ],
                        "timeout_ms": timeout,
                    ], required: ["url"], description: "The config of an http job, as sent to create or update it")
            ),
            (
                "HTTPJobConfigShown",
                OpenAPISchema.object(
                    [
                        "url": url,
                        "method": OpenAPISchema.enumeration(["POST", "PUT", "PATCH"]),
                        "timeout_ms": timeout,
                        "header_names": OpenAPISchema.described(
                            OpenAPISchema.array(OpenAPISchema.string()),
                            "The names of the job's headers, as given; their values are write-only"),
                    ], required: ["url", "method", "timeout_ms", "header_names"],
                    description: "The config of an http job as responses show it: header values are never shown")
            ),
        ]
    }

    static var jobOperations: [OpenAPIOperation] {
        let id = OpenAPIParts.pathID("id", "The job's id")
        let project = OpenAPIParts.parameter("ProjectID")
        let links: JSONValue = [
            "get": OpenAPIParts.link("getJob", ["id": "$response.body#/id"]),
            "update": OpenAPIParts.link("updateJob", ["id": "$response.body#/id"]),
            "delete": OpenAPIParts.link("deleteJob", ["id": "$response.body#/id"]),
        ]
        return [
            OpenAPIOperation(
                method: .get, path: "/v1/jobs", operationID: "listJobs", summary: "List jobs", tag: "jobs",
                parameters: OpenAPIParts.projectAndPage, responses: [("200", OpenAPIParts.list("Jobs", of: "Job"))],
                errors: [.badRequest, .notFound, .unprocessableContent, .serviceUnavailable]),
            OpenAPIOperation(
                method: .post, path: "/v1/jobs", operationID: "createJob", summary: "Create a job", tag: "jobs",
                requestBody: OpenAPIParts.jsonBody("JobCreate"),
                responses: [("201", OpenAPIParts.json("Created", schema: "JobWithSecret", links: links))],
                errors: OpenAPIOperation.ErrorStatus.jsonBody + [.notFound, .conflict, .serviceUnavailable]),
            OpenAPIOperation(
                method: .get, path: "/v1/jobs/{id}", operationID: "getJob", summary: "Get a job", tag: "jobs",
                parameters: [id, project], responses: [("200", OpenAPIParts.json("The job", schema: "Job"))],
                errors: [.badRequest, .notFound, .unprocessableContent, .serviceUnavailable]),
            OpenAPIOperation(
                method: .patch, path: "/v1/jobs/{id}", operationID: "updateJob", summary: "Update a job", tag: "jobs",
                parameters: [id, project], requestBody: OpenAPIParts.jsonBody("JobUpdate"),
                responses: [("200", OpenAPIParts.json("Updated", schema: "Job"))],
                errors: OpenAPIOperation.ErrorStatus.jsonBody + [.notFound, .conflict, .serviceUnavailable]),
            OpenAPIOperation(
                method: .post, path: "/v1/jobs/{id}/close-circuit", operationID: "closeJobCircuit",
                summary: "Close a job's circuit by hand", tag: "jobs",
                description: "Deliveries resume at once and the failure count starts over (an operator knows the "
                    + "target is back). Closing a closed circuit is allowed.",
                parameters: [id, project], responses: [("200", OpenAPIParts.json("The job", schema: "Job"))],
                errors: [.badRequest, .notFound, .unprocessableContent, .serviceUnavailable]),
            OpenAPIOperation(
                method: .delete, path: "/v1/jobs/{id}", operationID: "deleteJob", summary: "Delete a job", tag: "jobs",
                description: "409 while subscriptions target the job.", parameters: [id, project],
                responses: [("204", OpenAPIParts.noContent("Deleted"))],
                errors: [.badRequest, .notFound, .conflict, .unprocessableContent, .serviceUnavailable]),
            OpenAPIOperation(
                method: .post, path: "/v1/jobs/{id}/rotate-secret", operationID: "rotateJobSecret",
                summary: "Rotate a job's signing secret", tag: "jobs",
                description: "A new whsec_ secret, shown only in this answer. During the grace period every delivery "
                    + "carries two v1 signatures in webhook-signature (new and replaced secret), so the receiver "
                    + "can switch at any moment; a secret replaced by an earlier rotation stops at once.",
                parameters: [id, project], requestBody: OpenAPIParts.jsonBody("JobRotateSecret", required: false),
                responses: [("200", OpenAPIParts.json("Rotated", schema: "JobWithSecret"))],
                errors: OpenAPIOperation.ErrorStatus.jsonBody + [.notFound, .serviceUnavailable]),
        ]
    }
}
