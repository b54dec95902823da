import Inlet

/// `/v1/projects` (admin keys) and `/v1/projects/{id}/api-keys` (admin keys, or a project key for its project).
extension OpenAPIDocument {
    static var projectSchemas: [(String, JSONValue)] {
        let apiKey = OpenAPISchema.object(
            [
                "id": OpenAPISchema.uuid,
                "project_id": OpenAPISchema.nullable(OpenAPISchema.uuid),
                "name": OpenAPISchema.string(),
                "admin": OpenAPISchema.boolean,
                "token_prefix": OpenAPISchema.string(description: "The token's first characters, to recognise it"),
                "created_at": OpenAPISchema.timestamp,
                "last_used_at": OpenAPISchema.nullable(OpenAPISchema.timestamp),
            ], required: ["id", "project_id", "name", "admin", "token_prefix", "created_at", "last_used_at"])
        return [
            (
                "Project",
                OpenAPISchema.object(
                    ["id": OpenAPISchema.uuid, "name": OpenAPISchema.string(), "created_at": OpenAPISchema.timestamp],
                    required: ["id", "name", "created_at"])
            ),
            (
                "ProjectCreate",
                OpenAPISchema.object(
                    ["name": OpenAPISchema.string(minLength: 1, maxLength: 128)], required: ["name"]
                ).adding("examples", [["name": "shop"]])
            ),
            ("APIKey", apiKey),
            (
                "ProjectLimits",
                OpenAPISchema.object(
                    [
                        "project_id": OpenAPISchema.uuid,
                        "weight": OpenAPISchema.integer(
                            minimum: 1, maximum: 1000,
                            description: "Share of the workers against other projects with runnable runs (default 1)"),
                        "max_jobs": OpenAPISchema.integer(
                            minimum: 0, description: "Default \(ProjectLimits.defaultMaxJobs); 422 on create above it"),
                        "max_subscriptions_per_source": OpenAPISchema.integer(
                            minimum: 0,
                            description: "Default \(ProjectLimits.defaultMaxSubscriptionsPerSource); 422 on subscribe"),
                        "max_runs_per_event": OpenAPISchema.integer(
                            minimum: 1,
                            description:
                                "Fan-out: default \(ProjectLimits.defaultMaxRunsPerEvent); a dispatch matching "
                                + "more is refused with 422"),
                        "max_dispatches_per_second": OpenAPISchema.integer(
                            minimum: 1,
                            description:
                                "Across all API nodes: default \(ProjectLimits.defaultMaxDispatchesPerSecond); "
                                + "429 with Retry-After above it"),
                        "max_event_bytes_per_second": OpenAPISchema.integer(
                            minimum: 1024,
                            description:
                                "Request-body bytes of dispatch and ingest per second, across all API nodes, counted "
                                + "on arrival whatever the answer: default \(ProjectLimits.defaultMaxEventBytesPerSecond) "
                                + "(4 MiB/s); 429 with Retry-After above it"),
                        "updated_at": OpenAPISchema.nullable(OpenAPISchema.timestamp),
                    ],
                    required: [
                        "project_id", "weight", "max_jobs", "max_subscriptions_per_source", "max_runs_per_event",
                        "max_dispatches_per_second", "max_event_bytes_per_second", "updated_at",
                    ], description: "Effective values: defaults filled in")
            ),
            (
                "ProjectLimitsUpdate",
                OpenAPISchema.object(
                    [
                        "weight": OpenAPISchema.nullable(OpenAPISchema.integer(minimum: 1, maximum: 1000)),
                        "max_jobs": OpenAPISchema.nullable(OpenAPISchema.integer(minimum: 0, maximum: 10_000_000)),
                        "max_subscriptions_per_source": OpenAPISchema.nullable(
                            OpenAPISchema.integer(minimum: 0, maximum: 10_000_000)),
                        "max_runs_per_event": OpenAPISchema.nullable(
                            OpenAPISchema.integer(minimum: 1, maximum: 10_000_000)),
                        "max_dispatches_per_second": OpenAPISchema.nullable(
                            OpenAPISchema.integer(minimum: 1, maximum: 10_000_000)),
                        "max_event_bytes_per_second": OpenAPISchema.nullable(
                            OpenAPISchema.integer(
                                minimum: ProjectLimits.byteRateRange.lowerBound,
                                maximum: ProjectLimits.byteRateRange.upperBound)),
                    ], description: "A merge: members given replace, null goes back to the default"
                ).adding("examples", [["weight": 2, "max_runs_per_event": 500]])
            ),
            (
                "APIKeyWithToken",
                OpenAPISchema.extending(
                    apiKey,
                    with: [
                        "token": OpenAPISchema.string(
                            pattern: "^inl_", description: "The bearer token; shown only in this response")
                    ], required: ["token"])
            ),
            (
                "APIKeyCreate",
                OpenAPISchema.object(["name": OpenAPISchema.string(maxLength: 128)]).adding(
                    "examples", [["name": "ci"]])
            ),
        ]
    }

    static var projectOperations: [OpenAPIOperation] {
        let project = OpenAPIParts.pathID("id", "The project's id (a project key may only name its own)")
        return [
            OpenAPIOperation(
                method: .post, path: "/v1/projects", operationID: "createProject", summary: "Create a project",
                tag: "projects", description: "Needs an admin key (403 otherwise).",
                requestBody: OpenAPIParts.jsonBody("ProjectCreate"),
                responses: [("201", OpenAPIParts.json("Created", schema: "Project"))],
                errors: [.forbidden] + OpenAPIOperation.ErrorStatus.jsonBody + [.serviceUnavailable]),
            OpenAPIOperation(
                method: .get, path: "/v1/projects", operationID: "listProjects", summary: "List projects",
                tag: "projects", description: "Every project for an admin key; a project key sees its own.",
                parameters: OpenAPIParts.page, responses: [("200", OpenAPIParts.list("Projects", of: "Project"))],
                errors: [.badRequest, .serviceUnavailable]),
            OpenAPIOperation(
                method: .get, path: "/v1/projects/{id}", operationID: "getProject", summary: "Get a project",
                tag: "projects", parameters: [project],
                responses: [("200", OpenAPIParts.json("The project", schema: "Project"))],
                errors: [.notFound, .serviceUnavailable]),
            OpenAPIOperation(
                method: .get, path: "/v1/projects/{id}/limits", operationID: "getProjectLimits",
                summary: "Get a project's weight and quotas", tag: "projects",
                description: "An admin key, or the project's own key.", parameters: [project],
                responses: [("200", OpenAPIParts.json("The limits", schema: "ProjectLimits"))],
                errors: [.notFound, .serviceUnavailable]),
            OpenAPIOperation(
                method: .patch, path: "/v1/projects/{id}/limits", operationID: "updateProjectLimits",
                summary: "Set a project's weight and quotas", tag: "projects",
                description: "Needs an admin key (403 for the project's own key). Quotas apply to writes after the "
                    + "change (nothing existing is removed); dispatch sees a change within 5 s on every node.",
                parameters: [project], requestBody: OpenAPIParts.jsonBody("ProjectLimitsUpdate"),
                responses: [("200", OpenAPIParts.json("The limits", schema: "ProjectLimits"))],
                errors: [.forbidden] + OpenAPIOperation.ErrorStatus.jsonBody + [.notFound, .serviceUnavailable]),
            OpenAPIOperation(
                method: .post, path: "/v1/projects/{id}/api-keys", operationID: "createAPIKey",
                summary: "Issue a project key", tag: "projects",
                description: "The body is optional. The token is shown once; only its hash is stored.",
                parameters: [project], requestBody: OpenAPIParts.jsonBody("APIKeyCreate", required: false),
                responses: [("201", OpenAPIParts.json("Created", schema: "APIKeyWithToken"))],
                errors: OpenAPIOperation.ErrorStatus.jsonBody + [.notFound, .serviceUnavailable]),
            OpenAPIOperation(
                method: .get, path: "/v1/projects/{id}/api-keys", operationID: "listAPIKeys",
                summary: "List a project's keys", tag: "projects", parameters: [project] + OpenAPIParts.page,
                responses: [("200", OpenAPIParts.list("Keys (never their tokens)", of: "APIKey"))],
                errors: [.badRequest, .notFound, .serviceUnavailable]),
            OpenAPIOperation(
                method: .delete, path: "/v1/projects/{id}/api-keys/{key_id}", operationID: "deleteAPIKey",
                summary: "Revoke a key", tag: "projects",
                description: "A revoked key may keep working for up to 5 seconds (per-node cache).",
                parameters: [project, OpenAPIParts.pathID("key_id", "The key's id")],
                responses: [("204", OpenAPIParts.noContent("Revoked"))], errors: [.notFound, .serviceUnavailable]),
        ]
    }
}
