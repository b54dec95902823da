import Inlet

/// `/v1/event-sources/{id}/subscriptions` and `/subscribe`: no `project_id`; the token's project must own the source.
extension OpenAPIDocument {
    static var subscriptionSchemas: [(String, JSONValue)] {
        let filter = OpenAPISchema.described(
            OpenAPISchema.anyObject,
            "An EventBridge event pattern matched against the payload ({} matches every event); 422 when invalid")
        let path = OpenAPISchema.string(
            minLength: 1, maxLength: 256,
            description: "A dotted path into the payload (customer.id) whose string or number value is the ordering "
                + "key of the runs this subscription creates when the dispatch gives no ordering_key; absent "
                + "values give no key. 422 when not member names separated by dots")
        return [
            (
                "Subscription",
                OpenAPISchema.object(
                    [
                        "id": OpenAPISchema.uuid,
                        "source_id": OpenAPISchema.uuid,
                        "target_type": OpenAPISchema.enumeration(["job"]),
                        "target_id": OpenAPISchema.uuid,
                        "filter_expr": filter,
                        "enabled": OpenAPISchema.boolean,
                        "created_at": OpenAPISchema.timestamp,
                        "ordering_key_path": OpenAPISchema.nullable(path),
                    ],
                    required: [
                        "id", "source_id", "target_type", "target_id", "filter_expr", "enabled", "created_at",
                        "ordering_key_path",
                    ])
            ),
            (
                "SubscriptionCreate",
                OpenAPISchema.object(
                    [
                        "target_type": OpenAPISchema.enumeration(["job"]),
                        "target_id": OpenAPISchema.described(
                            OpenAPISchema.uuid, "A job of the source's project (422 otherwise)"),
                        "filter_expr": OpenAPISchema.described(filter, "Defaults to {}"),
                        "enabled": OpenAPISchema.boolean,
                        "ordering_key_path": OpenAPISchema.nullable(path),
                    ], required: ["target_type", "target_id"]
                ).adding(
                    "examples",
                    [
                        [
                            "target_type": "job", "target_id": "01a218d8-9822-73a0-ac4a-85ea9192c3ee",
                            "filter_expr": ["type": ["order.created"]],
                        ]
                    ])
            ),
            (
                "SubscriptionUpdate",
                OpenAPISchema.object(
                    [
                        "filter_expr": OpenAPISchema.nullable(OpenAPISchema.described(filter, "null resets it to {}")),
                        "enabled": OpenAPISchema.boolean,
                        "ordering_key_path": OpenAPISchema.nullable(
                            OpenAPISchema.described(path, "null removes it")),
                    ],
                    description: "A merge; the source and target of a subscription cannot change"
                ).adding("examples", [["filter_expr": ["type": [["prefix": "order."]]], "enabled": true]])
            ),
        ]
    }

    static var subscriptionOperations: [OpenAPIOperation] {
        let source = OpenAPIParts.pathID("id", "The event source's id")
        let subscription = OpenAPIParts.pathID("subscription_id", "The subscription's id")
        let path = "/v1/event-sources/{id}/subscriptions/{subscription_id}"
        let links: JSONValue = [
            "get": OpenAPIParts.link(
                "getSubscription", ["id": "$response.body#/source_id", "subscription_id": "$response.body#/id"]),
            "update": OpenAPIParts.link(
                "updateSubscription", ["id": "$response.body#/source_id", "subscription_id": "$response.body#/id"]),
            "delete": OpenAPIParts.link(
                "deleteSubscription", ["id": "$response.body#/source_id", "subscription_id": "$response.body#/id"]),
        ]
        return [
            OpenAPIOperation(
                method: .get, path: "/v1/event-sources/{id}/subscriptions", operationID: "listSubscriptions",
                summary: "List the subscriptions of an event source", tag: "subscriptions",
                parameters: [source] + OpenAPIParts.page,
                responses: [("200", OpenAPIParts.list("Subscriptions", of: "Subscription"))],
                errors: [.badRequest, .notFound, .serviceUnavailable]),
            OpenAPIOperation(
                method: .post, path: "/v1/event-sources/{id}/subscribe", operationID: "subscribe",
                summary: "Subscribe a job to an event source", tag: "subscriptions",
                description: "One subscription per (source, job): a duplicate is a 409.",
                parameters: [source], requestBody: OpenAPIParts.jsonBody("SubscriptionCreate"),
                responses: [("201", OpenAPIParts.json("Created", schema: "Subscription", links: links))],
                errors: OpenAPIOperation.ErrorStatus.jsonBody + [.notFound, .conflict, .serviceUnavailable]),
            OpenAPIOperation(
                method: .get, path: path, operationID: "getSubscription", summary: "Get a subscription",
                tag: "subscriptions", parameters: [source, subscription],
                responses: [("200", OpenAPIParts.json("The subscription", schema: "Subscription"))],
                errors: [.notFound, .serviceUnavailable]),
            OpenAPIOperation(
                method: .patch, path: path, operationID: "updateSubscription", summary: "Update a subscription",
                tag: "subscriptions", parameters: [source, subscription],
                requestBody: OpenAPIParts.jsonBody("SubscriptionUpdate"),
                responses: [("200", OpenAPIParts.json("Updated", schema: "Subscription"))],
                errors: OpenAPIOperation.ErrorStatus.jsonBody + [.notFound, .serviceUnavailable]),
            OpenAPIOperation(
                method: .delete, path: path, operationID: "deleteSubscription", summary: "Delete a subscription",
                tag: "subscriptions", parameters: [source, subscription],
                responses: [("204", OpenAPIParts.noContent("Deleted"))], errors: [.notFound, .serviceUnavailable]),
        ]
    }
}
