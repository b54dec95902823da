import Inlet

/// One route of the API as the OpenAPI document describes it.
struct OpenAPIOperation {
    enum Method: String {
        case get, post, patch, delete
    }

    /// The statuses of Inlet's error body, each a reusable response in `components/responses`.
    enum ErrorStatus: Int, CaseIterable {
        case badRequest = 400
        case unauthorized = 401
        case forbidden = 403
        case notFound = 404
        case conflict = 409
        case contentTooLarge = 413
        case unsupportedMediaType = 415
        case unprocessableContent = 422
        case tooManyRequests = 429
        case serviceUnavailable = 503

        var componentName: String {
            switch self {
            case .badRequest: "BadRequest"
            case .unauthorized: "Unauthorized"
            case .forbidden: "Forbidden"
            case .notFound: "NotFound"
            case .conflict: "Conflict"
            case .contentTooLarge: "ContentTooLarge"
            case .unsupportedMediaType: "UnsupportedMediaType"
            case .unprocessableContent: "ValidationFailed"
            case .tooManyRequests: "TooManyRequests"
            case .serviceUnavailable: "ServiceUnavailable"
            }
        }

        /// The errors of every route that reads a JSON body: malformed JSON, too large, another media type,
        /// well-formed but invalid.
        static let jsonBody: [ErrorStatus] = [
            .badRequest, .contentTooLarge, .unsupportedMediaType, .unprocessableContent,
        ]
    }

    let method: Method
    /// The route as the router has it, e.g. `/v1/event-sources/{id}`.
    let path: String
    let operationID: String
    let summary: String
    let tag: String
    var description: String?
    var parameters: [JSONValue] = []
    var requestBody: JSONValue?
    /// Success responses by status (`"200"`, …).
    var responses: [(status: String, response: JSONValue)]
    var errors: [ErrorStatus] = []
    /// `false` for routes that need no bearer token (health, the document itself, ingest).
    var authenticated = true
    /// `true` for a POST that only reads (it takes a body but changes nothing): `x-inlet-read-only` in the document.
    var readOnly = false

    var json: JSONValue {
        let tags: JSONValue = [.string(tag)]
        var operation = JSONObject()
        operation["operationId"] = .string(operationID)
        operation["summary"] = .string(summary)
        operation["tags"] = tags
        if let description { operation["description"] = .string(description) }
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if let requestBody { operation["requestBody"] = requestBody }
        var all = JSONObject(responses.map { (key: $0.status, value: $0.response) as JSONObject.Member })
        var statuses = Set(errors)
        if authenticated { statuses.insert(.unauthorized) }
        for status in ErrorStatus.allCases where statuses.contains(status) {
            all[String(status.rawValue)] = ["$ref": .string("#/components/responses/\(status.componentName)")]
        }
        operation["responses"] = .object(all)
        if !authenticated { operation["security"] = [] }
        if readOnly { operation["x-inlet-read-only"] = true }
        return .object(operation)
    }
}

/// Parameters and responses shared by many operations.
enum OpenAPIParts {
    static func parameter(_ name: String) -> JSONValue { ["$ref": .string("#/components/parameters/\(name)")] }

    /// A path parameter that must be a UUID; anything else names nothing (404).
    static func pathID(_ name: String, _ description: String) -> JSONValue {
        [
            "name": .string(name), "in": "path", "required": true, "description": .string(description),
            "schema": OpenAPISchema.uuid,
        ]
    }

    static func query(_ name: String, _ schema: JSONValue, _ description: String) -> JSONValue {
        [
            "name": .string(name), "in": "query", "required": false, "description": .string(description),
            "schema": schema,
        ]
    }

    /// `project_id` in the query, then `limit` and `after`.
    static let projectAndPage: [JSONValue] = [parameter("ProjectID"), parameter("Limit"), parameter("After")]
    static let page: [JSONValue] = [parameter("Limit"), parameter("After")]

    static let requestIDHeader: JSONValue = ["$ref": "#/components/headers/X-Request-Id"]

    /// A JSON request body described by a component schema.
    static func jsonBody(_ schemaName: String, required: Bool = true, description: String? = nil) -> JSONValue {
        let body: JSONValue = [
            "required": .bool(required), "content": ["application/json": ["schema": OpenAPISchema.ref(schemaName)]],
        ]
        return description.map { body.adding("description", .string($0)) } ?? body
    }

    /// A JSON response.
    static func json(_ description: String, _ schema: JSONValue, links: JSONValue? = nil) -> JSONValue {
        let response: JSONValue = [
            "description": .string(description), "headers": ["X-Request-Id": requestIDHeader],
            "content": ["application/json": ["schema": schema]],
        ]
        return links.map { response.adding("links", $0) } ?? response
    }

    /// A JSON response holding a component schema.
    static func json(_ description: String, schema name: String, links: JSONValue? = nil) -> JSONValue {
        json(description, OpenAPISchema.ref(name), links: links)
    }

    /// One page of a list: a bare array, newest first, with `Link: <…>; rel="next"` when more rows follow.
    static func list(_ description: String, of name: String, links: JSONValue? = nil) -> JSONValue {
        let response: JSONValue = [
            "description": .string(description + ", newest first"),
            "headers": ["X-Request-Id": requestIDHeader, "Link": ["$ref": "#/components/headers/Link"]],
            "content": ["application/json": ["schema": OpenAPISchema.array(OpenAPISchema.ref(name))]],
        ]
        return links.map { response.adding("links", $0) } ?? response
    }

    static func noContent(_ description: String) -> JSONValue {
        ["description": .string(description), "headers": ["X-Request-Id": requestIDHeader]]
    }

    /// An OpenAPI link: the operation `operationID` with parameters taken from the response.
    static func link(_ operationID: String, _ parameters: KeyValuePairs<String, String>) -> JSONValue {
        [
            "operationId": .string(operationID),
            "parameters": .object(
                JSONObject(parameters.map { (key: $0.key, value: JSONValue.string($0.value)) as JSONObject.Member })),
        ]
    }
}
