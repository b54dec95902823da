import Inlet

/// Building blocks for the JSON Schemas (draft 2020-12, as OpenAPI 3.1 uses them) of ``OpenAPIDocument``.
enum OpenAPISchema {
    static let uuid: JSONValue = ["type": "string", "format": "uuid"]
    static let timestamp: JSONValue = ["type": "string", "format": "date-time"]
    static let boolean: JSONValue = ["type": "boolean"]
    /// Any JSON value.
    static let anyValue: JSONValue = [:]
    /// Any JSON object.
    static let anyObject: JSONValue = ["type": "object"]
    /// Event-source and job names: 1–128 characters of `[A-Za-z0-9._:-]`.
    static let name = string(pattern: "^[A-Za-z0-9._:-]{1,128}$", description: EventSourceInput.nameRule)

    static func string(
        minLength: Int? = nil, maxLength: Int? = nil, pattern: String? = nil, format: String? = nil,
        description: String? = nil
    ) -> JSONValue {
        var schema = JSONObject()
        schema["type"] = "string"
        if let minLength { schema["minLength"] = .int(Int64(minLength)) }
        if let maxLength { schema["maxLength"] = .int(Int64(maxLength)) }
        if let pattern { schema["pattern"] = .string(pattern) }
        if let format { schema["format"] = .string(format) }
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }

    static func integer(minimum: Int? = nil, maximum: Int? = nil, description: String? = nil) -> JSONValue {
        var schema = JSONObject()
        schema["type"] = "integer"
        if let minimum { schema["minimum"] = .int(Int64(minimum)) }
        if let maximum { schema["maximum"] = .int(Int64(maximum)) }
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }

    static func enumeration(_ values: [String], description: String? = nil) -> JSONValue {
        var schema = JSONObject()
        schema["type"] = "string"
        schema["enum"] = .array(values.map(JSONValue.string))
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }

    /// `schema` that also accepts `null`: `type: [T, "null"]`, and `null` added to an `enum`.
    static func nullable(_ schema: JSONValue) -> JSONValue {
        guard var object = schema.objectValue else { return schema }
        if let type = object["type"]?.stringValue { object["type"] = [.string(type), "null"] }
        if let values = object["enum"]?.arrayValue { object["enum"] = .array(values + [.null]) }
        return .object(object)
    }

    /// `schema` with a `description`.
    static func described(_ schema: JSONValue, _ description: String) -> JSONValue {
        schema.adding("description", .string(description))
    }

    /// `schema` with `examples` (schemathesis starts from them, and readers learn from them).
    static func examples(_ schema: JSONValue, _ examples: [JSONValue]) -> JSONValue {
        schema.adding("examples", .array(examples))
    }

    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }

    static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }

    /// An object with exactly these properties (unknown ones are rejected by the server, and never sent by it).
    static func object(
        _ properties: KeyValuePairs<String, JSONValue>, required: [String] = [], description: String? = nil
    ) -> JSONValue {
        var schema = JSONObject()
        schema["type"] = "object"
        if let description { schema["description"] = .string(description) }
        schema["properties"] = .object(
            JSONObject(properties.map { (key: $0.key, value: $0.value) as JSONObject.Member }))
        if !required.isEmpty { schema["required"] = .array(required.map(JSONValue.string)) }
        schema["additionalProperties"] = false
        return .object(schema)
    }

    /// `base` (an ``object(_:required:description:)`` schema) with more properties.
    static func extending(
        _ base: JSONValue, with properties: KeyValuePairs<String, JSONValue>, required: [String] = [],
        description: String? = nil
    ) -> JSONValue {
        guard var schema = base.objectValue, var members = schema["properties"]?.objectValue else { return base }
        for (key, value) in properties { members[key] = value }
        schema["properties"] = .object(members)
        let allRequired = (schema["required"]?.arrayValue ?? []) + required.map(JSONValue.string)
        if !allRequired.isEmpty { schema["required"] = .array(allRequired) }
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }
}
