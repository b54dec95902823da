import Inlet

/// The OpenAPI 3.1 document of Inlet's HTTP API, served at `GET /openapi.json`.
///
/// It is written beside the code it describes, one file per resource, and `OpenAPITests` checks it against the
/// router's routes and real responses, so it cannot drift silently.
enum OpenAPIDocument {
    static let version = "1.0.0"

    static var operations: [OpenAPIOperation] {
        serviceOperations + eventSourceOperations + subscriptionOperations + jobOperations + eventOperations
            + runOperations + statsOperations + projectOperations + deliveryOperations
    }

    static var schemas: [(String, JSONValue)] {
        eventSourceSchemas + subscriptionSchemas + jobSchemas + eventSchemas + runSchemas + statsSchemas
            + projectSchemas
            + deliverySchemas + commonSchemas
    }

    /// The whole document.
    static let json: JSONValue = {
        var paths = JSONObject()
        for operation in operations {
            var item = paths[operation.path]?.objectValue ?? JSONObject()
            item[operation.method.rawValue] = operation.json
            paths[operation.path] = .object(item)
        }
        let components: JSONValue = [
            "securitySchemes": [
                "bearerAuth": [
                    "type": "http", "scheme": "bearer",
                    "description": .string(
                        "A project key (acts on its project) or an admin key (every project, and projects and keys); "
                            + "tokens start with inl_"),
                ]
            ],
            "schemas": .object(JSONObject(schemas.map { (key: $0.0, value: $0.1) as JSONObject.Member })),
            "parameters": parameters,
            "headers": headers,
            "responses": errorResponses,
        ]
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Inlet", "version": .string(version),
                "description": .string(
                    "Inlet receives events, decides which jobs they trigger, and runs those jobs reliably. JSON in and "
                        + "out, snake_case fields, UUID ids, RFC 3339 UTC timestamps; see docs/api.md."),
            ],
            "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
            "security": [["bearerAuth": []]],
            "tags": .array(
                ["service", "event-sources", "subscriptions", "jobs", "events", "ingest", "runs", "projects"].map {
                    (tag: String) -> JSONValue in ["name": .string(tag)]
                }),
            "paths": .object(paths),
            "components": components,
        ]
    }()

    /// The document as served, serialized once.
    static let bytes: [UInt8] = json.serializedBytes()
}

/// The OpenAPI document as `/openapi.json` serves it (for `inlet-server openapi`).
public func servedOpenAPIDocument() -> [UInt8] { OpenAPIDocument.bytes }
