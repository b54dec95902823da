import Inlet

/// Delivery policy (issue 16): retry policies, delayed delivery and filter explanations.
extension OpenAPIDocument {
    static var deliverySchemas: [(String, JSONValue)] {
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
            "not",
            [
                "anyOf": [
                    ["required": ["delays_ms", "initial_delay_ms"]], ["required": ["delays_ms", "max_delay_ms"]],
                    ["required": ["delays_ms", "multiplier"]],
                ]
            ])
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
                "FilterExplanation",
                OpenAPISchema.object(
                    [
                        "subscription_id": OpenAPISchema.uuid,
                        "target_id": OpenAPISchema.uuid,
                        "enabled": OpenAPISchema.boolean,
                        "matched": OpenAPISchema.boolean,
                        "failure": OpenAPISchema.described(
                            ["oneOf": [failure, ["type": "null"]]], "The first failing condition; null when matched"),
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
                errors: OpenAPIOperation.ErrorStatus.jsonBody + [.notFound, .serviceUnavailable], readOnly: true)
        ]
    }
}
