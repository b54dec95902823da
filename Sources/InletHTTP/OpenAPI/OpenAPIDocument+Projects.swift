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
