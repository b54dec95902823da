import Inlet

/// Delivery policy (issue 16): retry policies, delayed delivery and filter explanations.
extension OpenAPIDocument {
    /// The `RetryPolicy` schema; `JobCreate` and `JobUpdate` use it inline, with `null` added (the generated client
    /// drops a property written `oneOf: [$ref, {type: null}]`, so it could not set a policy).
    static var retryPolicySchema: JSONValue {
        let milliseconds = { (range: ClosedRange<Int64>, description: String) -> JSONValue in
            OpenAPISchema.integer(
                minimum: Int(range.lowerBound), maximum: Int(range.upperBound), description: description)
        }
        let statuses = OpenAPISchema.array(OpenAPISchema.integer(minimum: 400, maximum: 599))
            .adding("maxItems", .int(Int64(RetryPolicy.maximumListLength)))
        let statusOrClass: JSONValue = [
            "oneOf": [OpenAPISchema.integer(minimum: 400, maximum: 599), OpenAPISchema.enumeration(["4xx", "5xx"])]
        ]
        let policy = OpenAPISchema.object(
            [
                "delays_ms": OpenAPISchema.described(
                    OpenAPISchema.array(milliseconds(RetryPolicy.delayRange, "A delay in milliseconds"))
                        .adding("minItems", 1).adding("maxItems", .int(Int64(RetryPolicy.maximumListLength))),
                    "The delay after each failed attempt, in order; the last one repeats. Not with the exponential "
                        + "parameters"),
                "initial_delay_ms": milliseconds(
                    RetryPolicy.initialDelayRange, "Exponential schedule: the first delay (default 1000)"),
                "max_delay_ms": milliseconds(
                    RetryPolicy.delayRange, "Exponential schedule: the longest delay (default 3600000; ≥ initial)"),
                "multiplier": [
                    "type": "number", "minimum": 1, "maximum": 10,
                    "description": "Exponential schedule: the growth factor (default 2)",
                ],
                "jitter": [
                    "type": "number", "minimum": 0, "maximum": 1,
                    "description": "Each delay is drawn from [d·(1 − jitter), d] (default 0.2; 1 is full jitter)",
                ],
                "max_age_ms": OpenAPISchema.nullable(
                    milliseconds(
                        RetryPolicy.maxAgeRange,
                        "No retry starts later than this after the first attempt (null: no limit)")),
                "non_retryable_statuses": OpenAPISchema.described(
                    OpenAPISchema.array(statusOrClass).adding("maxItems", .int(Int64(RetryPolicy.maximumListLength))),
                    "Statuses (or classes) that end the run at once as dead (default [\"4xx\"])"),
                "retryable_statuses": OpenAPISchema.described(
                    statuses, "Exceptions retried all the same (default [408, 425, 429])"),
            ],
            description: "How failed runs are retried (docs/worker.md). Members left out take the default; the "
                + "default schedule is 10 s, 1 min, 5 min, 30 min, 1 h, 2 h, 4 h, 8 h, 16 h. max_attempts still "
                + "bounds the attempts."
        ).adding(
            // delays_ms excludes the exponential parameters. Said with dependentSchemas rather than a top-level
            // `not`, which swift-openapi-generator cannot represent: it dropped the whole schema, and with it
            // retry_policy from Job, whose decoding then failed on the unknown member (scripts/openapi-client).
            "dependentSchemas",
            [
                "delays_ms": [
                    "not": [
                        "anyOf": [
                            ["required": ["initial_delay_ms"]], ["required": ["max_delay_ms"]],
                            ["required": ["multiplier"]],
                        ]
                    ]
                ]
            ])
        return policy
    }

    static var deliverySchemas: [(String, JSONValue)] {
        let policy = retryPolicySchema
        let failure = OpenAPISchema.object(
            [
                "path": OpenAPISchema.string(description: "The event path, dotted, or $headers.<name>"),
                "pattern_path": OpenAPISchema.string(description: "JSON pointer of the failing leaf in the pattern"),
                "operator": OpenAPISchema.string(description: "equals, prefix, numeric, …, any-of, exists"),
                "expected": OpenAPISchema.anyValue,
                "actual": OpenAPISchema.described(OpenAPISchema.anyValue, "The event's value(s) there; null if absent"),
                "reason": OpenAPISchema.string(),
            ], required: ["path", "pattern_path", "operator", "expected", "actual", "reason"])
        return [
            ("RetryPolicy", policy),
            (
                "RetryDeadRequest",
                OpenAPISchema.object(
                    [
                        "since": OpenAPISchema.described(
                            OpenAPISchema.timestamp, "Only runs that died at this time or later"),
                        "limit": OpenAPISchema.integer(
                            minimum: 1, maximum: RecoveryController.maximumRetryBatch,
                            description: "The most runs this call requeues (default and maximum "
                                + "\(RecoveryController.maximumRetryBatch)); call again while has_more"),
                    ]
                ).adding("examples", [["since": "2026-11-26T00:00:00Z", "limit": 500]])
            ),
            (
                "RetryDeadResult",
                OpenAPISchema.object(
                    [
                        "job_id": OpenAPISchema.uuid,
                        "requeued": OpenAPISchema.integer(minimum: 0, description: "Dead runs queued again"),
                        "has_more": OpenAPISchema.described(
                            OpenAPISchema.boolean, "More dead runs match: call again for the next batch"),
                    ], required: ["job_id", "requeued", "has_more"])
            ),
            (
                "SourceReplayRequest",
                OpenAPISchema.object(
                    [
                        "from": OpenAPISchema.described(OpenAPISchema.timestamp, "Events received at or after"),
                        "to": OpenAPISchema.described(OpenAPISchema.timestamp, "Events received before (after from)"),
                        "dry_run": OpenAPISchema.described(
                            OpenAPISchema.boolean, "Count what would be created; create nothing (default false)"),
                        "limit": OpenAPISchema.integer(
                            minimum: 1, maximum: RecoveryController.maximumReplayBatch,
                            description: "Events per call, oldest first (default "
                                + "\(RecoveryController.defaultReplayBatch))"),
                        "after": OpenAPISchema.described(
                            OpenAPISchema.uuid, "Continue after this event: the next_after of the previous call"),
                    ], required: ["from", "to"]
                ).adding(
                    "examples", [["from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z", "limit": 100]])
            ),
            (
                "SourceReplayResult",
                OpenAPISchema.object(
                    [
                        "source_id": OpenAPISchema.uuid,
                        "dry_run": OpenAPISchema.boolean,
                        "events": OpenAPISchema.integer(minimum: 0, description: "Events replayed by this call"),
                        "matched": OpenAPISchema.integer(
                            minimum: 0, description: "Runs the source's current subscriptions match for them"),
                        "dispatched": OpenAPISchema.integer(minimum: 0, description: "Runs created (0 on a dry run)"),
                        "next_after": OpenAPISchema.nullable(
                            OpenAPISchema.described(
                                OpenAPISchema.uuid, "Pass as after to replay the next batch; null when done")),
                    ], required: ["source_id", "dry_run", "events", "matched", "dispatched", "next_after"])
            ),
            (
                "FilterExplanation",
                OpenAPISchema.object(
                    [
                        "subscription_id": OpenAPISchema.uuid,
                        "target_id": OpenAPISchema.uuid,
                        "enabled": OpenAPISchema.boolean,
                        "matched": OpenAPISchema.boolean,
                        // type [object, null] rather than oneOf [object, {type: null}]: the same values, in the
                        // form swift-openapi-generator reads as an optional (it skips a `null` branch of a oneOf).
                        "failure": OpenAPISchema.described(
                            OpenAPISchema.nullable(failure), "The first failing condition; null when matched"),
                    ], required: ["subscription_id", "target_id", "enabled", "matched", "failure"])
            ),
            (
                "ExplainRequest",
                OpenAPISchema.object(
                    [
                        "payload": OpenAPISchema.described(OpenAPISchema.anyValue, "The event payload (default {})"),
                        "headers": [
                            "type": "object", "maxProperties": .int(Int64(ExplainController.maximumHeaders)),
                            "additionalProperties": OpenAPISchema.string(
                                maxLength: RecordedHeaders.maximumValueLength),
                            "description": "Request headers for $headers conditions (names matched lower-case)",
                        ],
                        "subscription_id": OpenAPISchema.described(
                            OpenAPISchema.uuid, "Explain this subscription only (default: all of the source's)"),
                    ]
                ).adding("examples", [["payload": ["type": "order.created", "amount": 42]]])
            ),
            (
                "ExplainResult",
                OpenAPISchema.object(
                    [
                        "source_id": OpenAPISchema.uuid,
                        "matched": OpenAPISchema.integer(minimum: 0, description: "Subscriptions whose filter matches"),
                        "truncated": OpenAPISchema.described(
                            OpenAPISchema.boolean,
                            "true when the source has more than \(FilterExplainer.maximumSubscriptions) subscriptions "
                                + "(the newest are explained)"),
                        "subscriptions": OpenAPISchema.array(OpenAPISchema.ref("FilterExplanation")),
                    ], required: ["source_id", "matched", "truncated", "subscriptions"])
            ),
        ]
    }

    static var deliveryOperations: [OpenAPIOperation] {
        [
            OpenAPIOperation(
                method: .post, path: "/v1/event-sources/{id}/explain", operationID: "explainFilters",
                summary: "Explain which filters of a source match a payload", tag: "subscriptions",
                description: "For each subscription of the source (or the one named), whether its filter matches the "
                    + "payload and headers and, when not, the first failing path, operator and actual value. "
                    + "Creates nothing; runs under the work budget (422 work_budget_exceeded).",
                parameters: [OpenAPIParts.pathID("id", "The event source's id")],
                requestBody: OpenAPIParts.jsonBody("ExplainRequest"),
                responses: [("200", OpenAPIParts.json("The explanations", schema: "ExplainResult"))],
                errors: OpenAPIOperation.ErrorStatus.jsonBody + [.notFound, .serviceUnavailable], readOnly: true),
            OpenAPIOperation(
                method: .post, path: "/v1/jobs/{id}/retry-dead", operationID: "retryDeadRuns",
                summary: "Queue a job's dead runs again, in bounded batches", tag: "runs",
                description: "Each dead run (that died since `since`, when given) is queued now with one more attempt "
                    + "allowed, as POST /v1/runs/{id}/retry does; at most `limit` per call.",
                parameters: [OpenAPIParts.pathID("id", "The job's id"), OpenAPIParts.parameter("ProjectID")],
                requestBody: OpenAPIParts.jsonBody("RetryDeadRequest", required: false),
                responses: [("200", OpenAPIParts.json("Requeued", schema: "RetryDeadResult"))],
                errors: OpenAPIOperation.ErrorStatus.jsonBody + [.notFound, .serviceUnavailable]),
            OpenAPIOperation(
                method: .post, path: "/v1/event-sources/{id}/replay", operationID: "replaySourceEvents",
                summary: "Replay a source's events received in a time range", tag: "events",
                description: "Each event is replayed as POST /v1/events/{id}/replay does (the source's current "
                    + "subscriptions; new runs), oldest first, at most `limit` per call; continue with `after`. "
                    + "409 when the source is disabled.",
                parameters: [OpenAPIParts.pathID("id", "The event source's id"), OpenAPIParts.parameter("ProjectID")],
                requestBody: OpenAPIParts.jsonBody("SourceReplayRequest"),
                responses: [
                    ("200", OpenAPIParts.json("Dry run: what a replay would create", schema: "SourceReplayResult")),
                    ("202", OpenAPIParts.json("Replayed: runs created", schema: "SourceReplayResult")),
                ],
                errors: OpenAPIOperation.ErrorStatus.jsonBody + [.notFound, .conflict, .serviceUnavailable]),
        ]
    }
}
