import Inlet

/// The error body, the shared parameters, headers and responses, and the routes outside `/v1`.
extension OpenAPIDocument {
    /// The `error` member of every error body (and of a refused batch event's result).
    static var errorObject: JSONValue {
        OpenAPISchema.object(
            [
                "code": OpenAPISchema.string(
                    description:
                        "Machine-readable: validation_failed, bad_request, unauthorized, forbidden, "
                        + "not_found, conflict, payload_too_large, unsupported_media_type, unavailable, "
                        + "ingest_not_configured, rate_limited, work_budget_exceeded, or a JSON parse error code for "
                        + "malformed bodies"),
                "message": OpenAPISchema.string(description: "For people; never carries internals"),
                "details": OpenAPISchema.array(OpenAPISchema.ref("ErrorDetail")),
            ], required: ["code", "message"])
    }

    static var commonSchemas: [(String, JSONValue)] {
        [
            (
                "Error",
                OpenAPISchema.object(
                    [
                        "error": errorObject
                    ], required: ["error"], description: "The body of every 4xx and 5xx answer of the API")
            ),
            (
                "ErrorDetail",
                OpenAPISchema.object(
                    [
                        "path": OpenAPISchema.string(
                            description:
                                "JSON pointer into the request body (or the payload, for schema violations), or the name "
                                + "of a query parameter"),
                        "message": OpenAPISchema.string(),
                        "keyword": OpenAPISchema.string(
                            description: "The rule that failed: required, type, enum, format, additionalProperties, "
                                + "or a JSON Schema keyword"),
                    ], required: ["path", "message"])
            ),
            (
                "Health",
                OpenAPISchema.object(
                    [
                        "status": OpenAPISchema.enumeration(["ok", "unavailable"]),
                        "reason": OpenAPISchema.string(description: "Why the server is not ready"),
                    ], required: ["status"])
            ),
        ]
    }

    static var parameters: JSONValue {
        [
            "ProjectID": OpenAPIParts.query(
                "project_id", OpenAPISchema.uuid,
                "The project to act on. A project key may leave it out (its own project) and answers 404 for any "
                    + "other; an admin key must give it (422 otherwise)."),
            "Limit": OpenAPIParts.query(
                "limit", ["type": "integer", "minimum": 1, "maximum": 1000, "default": 100], "Page size"),
            "After": OpenAPIParts.query(
                "after", OpenAPISchema.uuid,
                "Cursor: the id of the last item of the previous page (the `Link: rel=\"next\"` header holds it)"),
        ]
    }

    static var headers: JSONValue {
        [
            "X-Request-Id": [
                "description": "The request's id: the client's `X-Request-Id` when it sent a sane one, else generated",
                "required": true, "schema": ["type": "string"],
            ],
            "Link": [
                "description": "`<path?query&after=ID>; rel=\"next\"` when more rows follow; absent on the last page",
                "schema": ["type": "string"],
            ],
        ]
    }

    static var errorResponses: JSONValue {
        var responses = JSONObject()
        for status in OpenAPIOperation.ErrorStatus.allCases {
            var headers = JSONObject()
            headers["X-Request-Id"] = OpenAPIParts.requestIDHeader
            if status == .serviceUnavailable || status == .tooManyRequests {
                headers["Retry-After"] = [
                    "description": "Seconds to wait before retrying", "schema": ["type": "string"],
                ]
            }
            responses[status.componentName] = [
                "description": .string(errorDescription(status)), "headers": .object(headers),
                "content": ["application/json": ["schema": OpenAPISchema.ref("Error")]],
            ]
        }
        return .object(responses)
    }

    private static func errorDescription(_ status: OpenAPIOperation.ErrorStatus) -> String {
        switch status {
        case .badRequest: "Malformed JSON, an empty body, or a malformed query parameter"
        case .unauthorized: "No bearer token, or an unknown one"
        case .forbidden: "The key may not do this"
        case .tooManyRequests:
            "The project is over its max_dispatches_per_second or max_event_bytes_per_second quota; retry after "
                + "Retry-After seconds"
        case .notFound: "No such resource, or one of another project (indistinguishable)"
        case .conflict: "A duplicate, a disabled source, or a resource in use"
        case .contentTooLarge: "The request body is over the limit (INLET_MAX_BODY_BYTES, default 1 MiB)"
        case .unsupportedMediaType: "The request body is not application/json"
        case .unprocessableContent: "Well-formed but invalid: one detail per problem, unknown fields included"
        case .serviceUnavailable: "The database is unavailable; retry later"
        }
    }

    static var serviceOperations: [OpenAPIOperation] {
        [
            OpenAPIOperation(
                method: .get, path: "/healthz", operationID: "getHealth", summary: "The process is alive",
                tag: "service",
                responses: [("200", OpenAPIParts.json("Alive", schema: "Health"))], authenticated: false),
            OpenAPIOperation(
                method: .get, path: "/readyz", operationID: "getReadiness",
                summary: "The database answers and its migrations are current", tag: "service",
                responses: [
                    ("200", OpenAPIParts.json("Ready", schema: "Health")),
                    (
                        "503",
                        OpenAPIParts.json("Not ready (database unreachable or migrations pending)", schema: "Health")
                    ),
                ], authenticated: false),
            OpenAPIOperation(
                method: .get, path: "/metrics", operationID: "getMetrics",
                summary: "Prometheus metrics (text exposition format); admin keys only", tag: "service",
                responses: [
                    (
                        "200",
                        [
                            "description": "Metrics",
                            "content": ["text/plain": ["schema": ["type": "string"]]],
                        ]
                    )
                ], errors: [.forbidden]),
            OpenAPIOperation(
                method: .get, path: "/openapi.json", operationID: "getOpenAPIDocument",
                summary: "This OpenAPI 3.1 document", tag: "service",
                responses: [("200", OpenAPIParts.json("The document", OpenAPISchema.anyObject))], authenticated: false),
        ]
    }
}
