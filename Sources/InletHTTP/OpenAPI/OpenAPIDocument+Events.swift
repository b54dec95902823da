import Inlet
import InletStore

/// `POST /v1/events/dispatch` (the seed's), `/v1/events` and replays, and `POST /v1/ingest/{source_id}`.
extension OpenAPIDocument {
    static var eventSchemas: [(String, JSONValue)] {
        [
            (
                "DispatchRequest",
                OpenAPISchema.object(
                    [
                        "source": OpenAPISchema.string(
                            minLength: 1, maxLength: 128, description: "The event source's name or id"),
                        "project_id": OpenAPISchema.described(
                            OpenAPISchema.uuid, "Optional with a project key; required with an admin key"),
                        "payload": OpenAPISchema.described(
                            OpenAPISchema.anyValue, "Any JSON (default {}); validated against the source's schema"),
                        "idempotency_key": OpenAPISchema.string(
                            minLength: 1, maxLength: 255,
                            description: "A repeat answers the original event with duplicate: true (1–255 bytes); "
                                + "the Idempotency-Key header works too"),
                        "deliver_at": OpenAPISchema.described(
                            OpenAPISchema.timestamp,
                            "RFC 3339; the runs are created now and start no earlier (at most 30 days ahead; "
                                + "a past time means at once). Not with delay_ms"),
                        "delay_ms": OpenAPISchema.integer(
                            minimum: 0, maximum: Int(DeliveryTime.maximumDelayMilliseconds),
                            description: "The runs start no earlier than this long from now. Not with deliver_at"),
                        "ordering_key": OpenAPISchema.string(
                            minLength: 1, maxLength: 256,
                            description: "Every run the event creates gets this ordering key (1–256 bytes): runs of "
                                + "one job with one key start one at a time, in dispatch order. Without it, a "
                                + "subscription's ordering_key_path may read one from the payload"),
                    ], required: ["source"]
                ).adding(
                    "examples",
                    [
                        [
                            "source": "orders", "payload": ["type": "order.created", "amount": 42],
                            "idempotency_key": "order-42",
                        ]
                    ])
            ),
            (
                "DispatchResponse",
                OpenAPISchema.object(
                    [
                        "dispatched": OpenAPISchema.integer(minimum: 0, description: "Job runs created"),
                        "source": OpenAPISchema.string(description: "The source as the request gave it"),
                        "event_id": OpenAPISchema.uuid,
                        "duplicate": OpenAPISchema.described(
                            OpenAPISchema.boolean, "true when the idempotency key was seen before"),
                    ], required: ["dispatched", "source", "event_id", "duplicate"])
            ),
            (
                "BatchDispatchRequest",
                OpenAPISchema.object(
                    [
                        "project_id": OpenAPISchema.described(
                            OpenAPISchema.uuid, "Optional with a project key; required with an admin key"),
                        "events": [
                            "type": "array", "minItems": 1, "maxItems": .int(Int64(Dispatcher.maxBatchEvents)),
                            "items": OpenAPISchema.ref("BatchEvent"),
                            "description": .string(
                                "1 to \(Dispatcher.maxBatchEvents) events; each is judged as a single dispatch is"),
                        ],
                    ], required: ["events"]
                ).adding(
                    "examples",
                    [
                        [
                            "events": [
                                ["source": "orders", "payload": ["type": "order.created", "amount": 42]],
                                ["source": "orders", "payload": ["type": "order.paid"], "idempotency_key": "paid-42"],
                            ]
                        ]
                    ])
            ),
            (
                "BatchEvent",
                OpenAPISchema.object(
                    [
                        "source": OpenAPISchema.string(
                            minLength: 1, maxLength: 128, description: "The event source's name or id"),
                        "payload": OpenAPISchema.described(
                            OpenAPISchema.anyValue, "Any JSON (default {}); validated against the source's schema"),
                        "idempotency_key": OpenAPISchema.string(minLength: 1, maxLength: 255),
                        "deliver_at": OpenAPISchema.timestamp,
                        "delay_ms": OpenAPISchema.integer(
                            minimum: 0, maximum: Int(DeliveryTime.maximumDelayMilliseconds)),
                        "ordering_key": OpenAPISchema.string(minLength: 1, maxLength: 256),
                    ], required: ["source"], description: "One event of a batch: the fields of DispatchRequest")
            ),
            (
                "BatchDispatchResponse",
                OpenAPISchema.object(
                    [
                        "accepted": OpenAPISchema.integer(
                            minimum: 0, description: "Events stored, or answered as duplicates of stored ones"),
                        "refused": OpenAPISchema.integer(minimum: 0, description: "Events refused; nothing stored"),
                        "results": OpenAPISchema.described(
                            OpenAPISchema.array(OpenAPISchema.ref("BatchDispatchResult")),
                            "One result per event, in the order of the request"),
                    ], required: ["accepted", "refused", "results"])
            ),
            (
                "BatchDispatchResult",
                OpenAPISchema.object(
                    [
                        "status": OpenAPISchema.enumeration(
                            ["dispatched", "duplicate", "refused"],
                            description: "dispatched: stored now; duplicate: its idempotency key was seen before "
                                + "(event_id is the original's); refused: see error"),
                        "event_id": OpenAPISchema.uuid,
                        "dispatched": OpenAPISchema.integer(minimum: 0, description: "Job runs created"),
                        "duplicate": OpenAPISchema.boolean,
                        "source": OpenAPISchema.string(description: "The source as the event gave it"),
                        "error": OpenAPISchema.described(
                            OpenAPIDocument.errorObject,
                            "Why the event was refused: what a single dispatch of it would have answered"),
                        "http_status": OpenAPISchema.integer(
                            minimum: 400, maximum: 599,
                            description: "The status a single dispatch of the event would have answered"),
                        "retry_after_seconds": OpenAPISchema.integer(
                            minimum: 1, description: "With a rate_limited refusal: when to retry it"),
                    ], required: ["status"])
            ),
            (
                "IngestResponse",
                OpenAPISchema.object(
                    [
                        "event_id": OpenAPISchema.uuid,
                        "dispatched": OpenAPISchema.integer(minimum: 0),
                        "duplicate": OpenAPISchema.boolean,
                    ], required: ["event_id", "dispatched", "duplicate"])
            ),
            (
                "Event",
                OpenAPISchema.object(
                    [
                        "id": OpenAPISchema.uuid,
                        "project_id": OpenAPISchema.uuid,
                        "source_id": OpenAPISchema.uuid,
                        "idempotency_key": OpenAPISchema.nullable(OpenAPISchema.string()),
                        "payload": OpenAPISchema.anyValue,
                        "headers": [
                            "type": "object", "additionalProperties": ["type": "string"],
                            "description": "The request headers recorded with the event (lower-case names)",
                        ],
                        "via": OpenAPISchema.enumeration(["api", "ingest", "replay"]),
                        "verification": OpenAPISchema.nullable(
                            OpenAPISchema.string(description: "The signature scheme that verified an ingested event")),
                        "request_id": OpenAPISchema.nullable(OpenAPISchema.string()),
                        "dispatched": OpenAPISchema.integer(minimum: 0),
                        "received_at": OpenAPISchema.timestamp,
                        "ordering_key": OpenAPISchema.nullable(
                            OpenAPISchema.string(description: "The ordering_key the dispatch gave; replays reuse it")),
                    ],
                    required: [
                        "id", "project_id", "source_id", "idempotency_key", "payload", "headers", "via",
                        "verification", "request_id", "dispatched", "received_at", "ordering_key",
                    ])
            ),
            (
                "ReplayResult",
                OpenAPISchema.object(
                    [
                        "event_id": OpenAPISchema.uuid,
                        "dry_run": OpenAPISchema.boolean,
                        "dispatched": OpenAPISchema.integer(minimum: 0, description: "Runs created (0 on a dry run)"),
                        "matches": OpenAPISchema.array(
                            OpenAPISchema.object(
                                ["subscription_id": OpenAPISchema.uuid, "job_id": OpenAPISchema.uuid],
                                required: ["subscription_id", "job_id"])),
                        "explain": OpenAPISchema.described(
                            OpenAPISchema.array(OpenAPISchema.ref("FilterExplanation")),
                            "With explain=true: every subscription of the source, matched or why not"),
                    ], required: ["event_id", "dry_run", "dispatched", "matches"])
            ),
        ]
    }

    static var eventOperations: [OpenAPIOperation] {
        let id = OpenAPIParts.pathID("id", "The event's id")
        let project = OpenAPIParts.parameter("ProjectID")
        let eventLinks: JSONValue = [
            "get": OpenAPIParts.link("getEvent", ["id": "$response.body#/event_id"]),
            "replay": OpenAPIParts.link("replayEvent", ["id": "$response.body#/event_id"]),
            "runs": OpenAPIParts.link("listRuns", ["event_id": "$response.body#/event_id"]),
        ]
        let idempotencyHeader: JSONValue = [
            "name": "Idempotency-Key", "in": "header", "required": false,
            "description": "Same as idempotency_key in the body (both given must be equal)",
            "schema": OpenAPISchema.string(minLength: 1, maxLength: 255),
        ]
        return [
            OpenAPIOperation(
                method: .post, path: "/v1/events/dispatch", operationID: "dispatchEvent", summary: "Dispatch an event",
                tag: "events",
                description: "Validates the payload against the source's schema (422 with one detail per violation), "
                    + "then stores the event and one job run per matching enabled subscription in one transaction. "
                    + "404 unknown source, 409 disabled source.",
                parameters: [idempotencyHeader], requestBody: OpenAPIParts.jsonBody("DispatchRequest"),
                responses: [("202", OpenAPIParts.json("Accepted", schema: "DispatchResponse", links: eventLinks))],
                errors: OpenAPIOperation.ErrorStatus.jsonBody + [
                    .notFound, .conflict, .tooManyRequests, .serviceUnavailable,
                ]),
            OpenAPIOperation(
                method: .post, path: "/v1/events/dispatch/batch", operationID: "dispatchEventBatch",
                summary: "Dispatch up to \(Dispatcher.maxBatchEvents) events at once", tag: "events",
                description: "Each event is judged exactly as POST /v1/events/dispatch judges it (schema, filters, "
                    + "idempotency, quotas) and the accepted ones are stored together in one transaction. 200 with "
                    + "one result per event, in order, whatever their outcomes: one event's refusal never fails "
                    + "its neighbours. The request itself is refused (4xx, nothing stored) only when its envelope "
                    + "is wrong (not an object, no events, more than \(Dispatcher.maxBatchEvents), unknown fields). "
                    + "One batch names at most \(Dispatcher.maxBatchSources) event sources and creates at most "
                    + "\(Dispatcher.maxBatchRunsFactor) × max_runs_per_event runs; the events past either are "
                    + "refused (422) and can be sent in another batch.",
                requestBody: OpenAPIParts.jsonBody("BatchDispatchRequest"),
                responses: [("200", OpenAPIParts.json("One result per event", schema: "BatchDispatchResponse"))],
                errors: OpenAPIOperation.ErrorStatus.jsonBody + [.notFound, .tooManyRequests, .serviceUnavailable]),
            OpenAPIOperation(
                method: .get, path: "/v1/events", operationID: "listEvents", summary: "List stored events",
                tag: "events",
                parameters: [
                    project,
                    OpenAPIParts.query(
                        "source", OpenAPISchema.string(), "Only this event source's events (name or id; 404 if unknown)"
                    ),
                    OpenAPIParts.query(
                        "via", OpenAPISchema.enumeration(EventController.vias),
                        "Only events that arrived this way: dispatch (api), a webhook (ingest) or a source replay"),
                    OpenAPIParts.query(
                        "from", OpenAPISchema.timestamp, "Only events received at or after this time"),
                    OpenAPIParts.query("to", OpenAPISchema.timestamp, "Only events received before this time"),
                ] + OpenAPIParts.page,
                responses: [("200", OpenAPIParts.list("Events", of: "Event"))],
                errors: [.badRequest, .notFound, .unprocessableContent, .serviceUnavailable]),
            OpenAPIOperation(
                method: .get, path: "/v1/events/{id}", operationID: "getEvent", summary: "Get an event", tag: "events",
                parameters: [id, project], responses: [("200", OpenAPIParts.json("The event", schema: "Event"))],
                errors: [.badRequest, .notFound, .unprocessableContent, .serviceUnavailable]),
            OpenAPIOperation(
                method: .post, path: "/v1/events/{id}/replay", operationID: "replayEvent",
                summary: "Re-evaluate the source's current subscriptions against a stored event", tag: "events",
                parameters: [
                    id, project,
                    OpenAPIParts.query(
                        "dry_run", ["type": "boolean", "default": false], "Report what would be created; create nothing"
                    ),
                    OpenAPIParts.query(
                        "explain", ["type": "boolean", "default": false],
                        "Add, for every subscription of the source, whether its filter matches and, if not, why"),
                ],
                responses: [
                    ("200", OpenAPIParts.json("Dry run: what a replay would create", schema: "ReplayResult")),
                    ("202", OpenAPIParts.json("Replayed: runs created", schema: "ReplayResult")),
                ],
                errors: [.badRequest, .notFound, .conflict, .unprocessableContent, .serviceUnavailable]),
            ingestOperation,
        ]
    }

    private static var ingestOperation: OpenAPIOperation {
        OpenAPIOperation(
            method: .post, path: "/v1/ingest/{source_id}", operationID: "ingestWebhook",
            summary: "Receive a signed webhook", tag: "ingest",
            description: "No bearer token: the source's signature scheme (signature_scheme, signature_header, …) "
                + "authenticates the raw body. 401 on any verification failure, without saying which check failed; "
                + "403 when the source has no signature scheme (set `none` to accept unsigned webhooks); 404 unknown "
                + "source; 409 disabled source; 400 when the body is not JSON; 422 when the payload breaks the "
                + "source's schema. Then the dispatch path: filters, runs, deduplication (webhook-id or the "
                + "source's idempotency_header).",
            parameters: [OpenAPIParts.pathID("source_id", "The event source's id")],
            requestBody: [
                "required": true,
                "description": .string(
                    "The provider's raw body, verified byte for byte, then parsed as JSON, or, when "
                        + "application/x-www-form-urlencoded (Slack, Twilio, …), stored as an object of its fields "
                        + "(string values; a repeated name becomes an array)"),
                "content": [
                    "application/json": ["schema": OpenAPISchema.anyValue],
                    "application/x-www-form-urlencoded": ["schema": OpenAPISchema.anyObject],
                    "*/*": ["schema": OpenAPISchema.anyValue],
                ],
            ],
            responses: [("202", OpenAPIParts.json("Accepted", schema: "IngestResponse"))],
            errors: [
                .badRequest, .unauthorized, .forbidden, .notFound, .conflict, .contentTooLarge, .unprocessableContent,
                .tooManyRequests, .serviceUnavailable,
            ], authenticated: false)
    }
}
