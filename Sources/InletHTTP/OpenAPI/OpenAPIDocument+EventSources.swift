import Inlet

/// `/v1/event-sources`: the seed's fields in the seed's order, then Inlet's signature extensions.
extension OpenAPIDocument {
    static let signatureSchemes = SignatureScheme.allCases.map(\.rawValue)
    static let signatureAlgorithms = ["hmac-sha256", "hmac-sha512", "hmac-sha1"]
    static let signatureEncodings = ["hex", "base64"]

    static var eventSourceSchemas: [(String, JSONValue)] {
        let eventSource = OpenAPISchema.object(
            [
                "id": OpenAPISchema.uuid,
                "project_id": OpenAPISchema.uuid,
                "name": OpenAPISchema.name,
                "description": OpenAPISchema.nullable(OpenAPISchema.string()),
                "schema": OpenAPISchema.described(
                    OpenAPISchema.anyObject, "JSON Schema (draft 2020-12) every payload must satisfy; {} accepts all"),
                "enabled": OpenAPISchema.boolean,
                "signature_header": OpenAPISchema.nullable(OpenAPISchema.string()),
                "signature_algorithm": OpenAPISchema.enumeration(signatureAlgorithms),
                "created_at": OpenAPISchema.timestamp,
                "updated_at": OpenAPISchema.timestamp,
                "signature_scheme": OpenAPISchema.nullable(
                    OpenAPISchema.enumeration(
                        signatureSchemes, description: "How ingest verifies webhooks; null refuses ingest (403)")),
                "signature_encoding": OpenAPISchema.enumeration(signatureEncodings),
                "idempotency_header": OpenAPISchema.nullable(
                    OpenAPISchema.string(description: "A request header whose value deduplicates ingested events")),
                "delivery_delay_ms": OpenAPISchema.nullable(
                    OpenAPISchema.integer(
                        minimum: 0, maximum: Int(DeliveryTime.maximumDelayMilliseconds),
                        description: "Runs of the source's events start this long after the event, unless a "
                            + "dispatch gives deliver_at or delay_ms (null: at once)")),
            ],
            required: [
                "id", "project_id", "name", "description", "schema", "enabled", "signature_header",
                "signature_algorithm", "created_at", "updated_at", "signature_scheme", "signature_encoding",
                "idempotency_header", "delivery_delay_ms",
            ])
        return [
            ("EventSource", eventSource),
            (
                "EventSourceWithSecret",
                OpenAPISchema.extending(
                    eventSource,
                    with: [
                        "signing_secret": OpenAPISchema.string(
                            description: "Shown only here, when the request created or replaced the secret")
                    ],
                    description: "An event source, with its signing secret when this request set or generated one")
            ),
            (
                "EventSourceCreate",
                OpenAPISchema.examples(
                    eventSourceWrite(create: true),
                    [
                        [
                            "name": "orders", "description": "Order events from the shop",
                            "schema": ["type": "object", "required": ["type"]],
                        ],
                        ["name": "github", "signature_scheme": "hmac", "signature_header": "X-Hub-Signature-256"],
                    ])
            ),
            (
                "EventSourceUpdate",
                OpenAPISchema.examples(eventSourceWrite(create: false), [["description": nil, "enabled": false]])
            ),
            (
                "RotateSecret",
                OpenAPISchema.object(
                    [
                        "signing_secret": OpenAPISchema.string(
                            description: "The new secret; generated when left out"),
                        "grace_period_seconds": OpenAPISchema.integer(
                            minimum: 0, maximum: 30 * 86_400,
                            description: "How long the previous secret keeps verifying (default 86400)"),
                    ]).adding("examples", [["grace_period_seconds": 3600]])
            ),
        ]
    }

    /// The body of `POST` (with `project_id`, `name` required) or `PATCH` (a merge; `null` clears).
    private static func eventSourceWrite(create: Bool) -> JSONValue {
        let nullableEnum = { (values: [String]) in OpenAPISchema.nullable(OpenAPISchema.enumeration(values)) }
        let fields: KeyValuePairs<String, JSONValue> = [
            "name": OpenAPISchema.name,
            "description": OpenAPISchema.nullable(
                OpenAPISchema.string(maxLength: 4096, description: "At most 4096 bytes")),
            "schema": OpenAPISchema.described(
                OpenAPISchema.anyObject, "A valid JSON Schema (draft 2020-12); 422 otherwise"),
            "enabled": OpenAPISchema.boolean,
            "signature_scheme": nullableEnum(signatureSchemes),
            "signature_header": OpenAPISchema.nullable(
                OpenAPISchema.string(maxLength: 128, description: "Setting it alone selects the hmac scheme")),
            "signature_algorithm": nullableEnum(signatureAlgorithms),
            "signature_encoding": nullableEnum(signatureEncodings),
            "idempotency_header": OpenAPISchema.nullable(OpenAPISchema.string(minLength: 1, maxLength: 128)),
            "delivery_delay_ms": OpenAPISchema.nullable(
                OpenAPISchema.integer(
                    minimum: 0, maximum: Int(DeliveryTime.maximumDelayMilliseconds),
                    description: "Runs of the source's events start this long after the event, unless a "
                        + "dispatch gives deliver_at or delay_ms (null: at once)")),
            "signing_secret": OpenAPISchema.string(
                description: "Needs a signature scheme; generated when the scheme needs one and none is given"),
        ]
        guard create else {
            return OpenAPISchema.object(
                fields, description: "A merge: fields present replace, null clears an optional field")
        }
        let body = OpenAPISchema.object(fields, required: ["name"])
        return OpenAPISchema.extending(
            body,
            with: [
                "project_id": OpenAPISchema.described(
                    OpenAPISchema.uuid, "Optional with a project key (its own project); required with an admin key")
            ])
    }

    static var eventSourceOperations: [OpenAPIOperation] {
        let id = OpenAPIParts.pathID("id", "The event source's id")
        let project = OpenAPIParts.parameter("ProjectID")
        let links: JSONValue = [
            "get": OpenAPIParts.link("getEventSource", ["id": "$response.body#/id"]),
            "update": OpenAPIParts.link("updateEventSource", ["id": "$response.body#/id"]),
            "subscribe": OpenAPIParts.link("subscribe", ["id": "$response.body#/id"]),
            "listSubscriptions": OpenAPIParts.link("listSubscriptions", ["id": "$response.body#/id"]),
            "rotateSecret": OpenAPIParts.link("rotateEventSourceSecret", ["id": "$response.body#/id"]),
            "delete": OpenAPIParts.link("deleteEventSource", ["id": "$response.body#/id"]),
        ]
        return [
            OpenAPIOperation(
                method: .get, path: "/v1/event-sources", operationID: "listEventSources", summary: "List event sources",
                tag: "event-sources", parameters: OpenAPIParts.projectAndPage,
                responses: [
                    (
                        "200",
                        OpenAPIParts.list(
                            "Event sources", of: "EventSource",
                            links: [
                                "ingestFirst": OpenAPIParts.link("ingestWebhook", ["source_id": "$response.body#/0/id"])
                            ])
                    )
                ],
                errors: [.badRequest, .notFound, .unprocessableContent, .serviceUnavailable]),
            OpenAPIOperation(
                method: .post, path: "/v1/event-sources", operationID: "createEventSource",
                summary: "Create an event source", tag: "event-sources",
                requestBody: OpenAPIParts.jsonBody("EventSourceCreate"),
                responses: [("201", OpenAPIParts.json("Created", schema: "EventSourceWithSecret", links: links))],
                errors: OpenAPIOperation.ErrorStatus.jsonBody + [.notFound, .conflict, .serviceUnavailable]),
            OpenAPIOperation(
                method: .get, path: "/v1/event-sources/{id}", operationID: "getEventSource",
                summary: "Get an event source",
                tag: "event-sources", parameters: [id, project],
                responses: [("200", OpenAPIParts.json("The event source", schema: "EventSource"))],
                errors: [.badRequest, .notFound, .unprocessableContent, .serviceUnavailable]),
            OpenAPIOperation(
                method: .patch, path: "/v1/event-sources/{id}", operationID: "updateEventSource",
                summary: "Update an event source", tag: "event-sources",
                description: "A merge: fields present replace, null clears. Setting signature_scheme resets the "
                    + "header, algorithm and encoding the request does not give.",
                parameters: [id, project], requestBody: OpenAPIParts.jsonBody("EventSourceUpdate"),
                responses: [("200", OpenAPIParts.json("Updated", schema: "EventSourceWithSecret"))],
                errors: OpenAPIOperation.ErrorStatus.jsonBody + [.notFound, .conflict, .serviceUnavailable]),
            OpenAPIOperation(
                method: .delete, path: "/v1/event-sources/{id}", operationID: "deleteEventSource",
                summary: "Delete an event source, its subscriptions and events", tag: "event-sources",
                parameters: [id, project], responses: [("204", OpenAPIParts.noContent("Deleted"))],
                errors: [.badRequest, .notFound, .unprocessableContent, .serviceUnavailable]),
            OpenAPIOperation(
                method: .post, path: "/v1/event-sources/{id}/rotate-secret", operationID: "rotateEventSourceSecret",
                summary: "Replace the signing secret", tag: "event-sources",
                description: "The new secret (given or generated) is shown once; the previous one keeps verifying "
                    + "for grace_period_seconds. 409 when the source has no signature scheme (or `none`).",
                parameters: [id, project],
                requestBody: OpenAPIParts.jsonBody("RotateSecret", required: false),
                responses: [
                    (
                        "200",
                        OpenAPIParts.json(
                            "Rotated; signing_secret holds the new secret",
                            ["allOf": [OpenAPISchema.ref("EventSourceWithSecret"), ["required": ["signing_secret"]]]])
                    )
                ],
                errors: OpenAPIOperation.ErrorStatus.jsonBody + [.notFound, .conflict, .serviceUnavailable]),
        ]
    }
}
