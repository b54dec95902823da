/// The index of a compiled subschema in ``SchemaGraph/nodes``.
typealias SchemaNodeID = Int

/// A compiled subschema: its keywords in evaluation order (`unevaluated*` last), ready to run without
/// looking at the schema's JSON again.
struct SchemaNode: Sendable {
    var keywords: [SchemaKeyword]
    /// Where this subschema sits in its document, for violations' `schemaPath` (`/properties/amount`).
    var location: String
    /// The schema resource (a document root or a subschema with `$id`) containing this subschema, for
    /// `$dynamicRef`'s dynamic scope.
    var resource: Int
    /// Whether a keyword needs to know which properties or items sibling keywords evaluated.
    var tracksEvaluation: Bool

    /// The `true` schema (or `{}`), which accepts everything.
    var acceptsEverything: Bool { keywords.isEmpty }

    /// The `false` schema, which accepts nothing.
    var rejectsEverything: Bool {
        if keywords.count == 1, case .never = keywords[0] { return true }
        return false
    }
}

/// The JSON Schema type names accepted by a `type` keyword.
struct SchemaTypeSet: OptionSet, Sendable {
    let rawValue: UInt8
    static let null = SchemaTypeSet(rawValue: 1 << 0)
    static let boolean = SchemaTypeSet(rawValue: 1 << 1)
    static let integer = SchemaTypeSet(rawValue: 1 << 2)
    static let number = SchemaTypeSet(rawValue: 1 << 3)
    static let string = SchemaTypeSet(rawValue: 1 << 4)
    static let array = SchemaTypeSet(rawValue: 1 << 5)
    static let object = SchemaTypeSet(rawValue: 1 << 6)

    static let names: [(String, SchemaTypeSet)] = [
        ("null", .null), ("boolean", .boolean), ("integer", .integer), ("number", .number), ("string", .string),
        ("array", .array), ("object", .object),
    ]

    /// Whether `value` has one of these types (`integer` accepts `1.0`; `number` accepts integers).
    func accepts(_ value: JSONValue) -> Bool {
        switch value {
        case .null: contains(.null)
        case .bool: contains(.boolean)
        case .number(let number): contains(.number) || (contains(.integer) && number.isInteger)
        case .string: contains(.string)
        case .array: contains(.array)
        case .object: contains(.object)
        }
    }

    /// `"string"`, `"string or null"`, `"integer, string or null"`.
    var description: String {
        let listed = Self.names.filter { contains($0.1) }.map(\.0)
        guard listed.count > 1 else { return listed.first ?? "nothing" }
        return listed.dropLast().joined(separator: ", ") + " or " + listed[listed.count - 1]
    }
}

/// One compiled keyword. Keywords that depend on siblings (`items` on `prefixItems`, `additionalProperties`
/// on `properties` and `patternProperties`, `contains` on `minContains`/`maxContains`, `then`/`else` on `if`)
/// are compiled together.
enum SchemaKeyword: Sendable {
    case never
    case type(SchemaTypeSet)
    case enumeration([JSONValue])
    case constant(JSONValue)
    case multipleOf(JSONNumber)
    case minimum(JSONNumber, exclusive: Bool)
    case maximum(JSONNumber, exclusive: Bool)
    case minLength(Int)
    case maxLength(Int)
    case pattern(ECMARegex)
    case prefixItems([SchemaNodeID])
    case items(SchemaNodeID, after: Int)
    case contains(SchemaNodeID, minimum: Int, maximum: Int?)
    case minItems(Int)
    case maxItems(Int)
    case uniqueItems
    case properties([String: SchemaNodeID])
    case patternProperties([(ECMARegex, SchemaNodeID)])
    case additionalProperties(SchemaNodeID, declared: Set<String>, patterns: [ECMARegex])
    case required([String])
    case dependentRequired([(String, [String])])
    case dependentSchemas([(String, SchemaNodeID)])
    case propertyNames(SchemaNodeID)
    case minProperties(Int)
    case maxProperties(Int)
    case allOf([SchemaNodeID])
    case anyOf([SchemaNodeID])
    case oneOf([SchemaNodeID])
    case not(SchemaNodeID)
    case conditional(if: SchemaNodeID, then: SchemaNodeID?, else: SchemaNodeID?)
    case reference(SchemaNodeID)
    /// `$dynamicRef`: `target` is the static resolution; `anchor` is set when the target bears the matching
    /// `$dynamicAnchor`, making the reference dynamic.
    case dynamicReference(SchemaNodeID, anchor: String?)
    case unevaluatedItems(SchemaNodeID)
    case unevaluatedProperties(SchemaNodeID)

    /// The keyword as written in a schema, for violations.
    var name: String {
        switch self {
        case .never: "false"
        case .type: "type"
        case .enumeration: "enum"
        case .constant: "const"
        case .multipleOf: "multipleOf"
        case .minimum(_, let exclusive): exclusive ? "exclusiveMinimum" : "minimum"
        case .maximum(_, let exclusive): exclusive ? "exclusiveMaximum" : "maximum"
        case .minLength: "minLength"
        case .maxLength: "maxLength"
        case .pattern: "pattern"
        case .prefixItems: "prefixItems"
        case .items: "items"
        case .contains: "contains"
        case .minItems: "minItems"
        case .maxItems: "maxItems"
        case .uniqueItems: "uniqueItems"
        case .properties: "properties"
        case .patternProperties: "patternProperties"
        case .additionalProperties: "additionalProperties"
        case .required: "required"
        case .dependentRequired: "dependentRequired"
        case .dependentSchemas: "dependentSchemas"
        case .propertyNames: "propertyNames"
        case .minProperties: "minProperties"
        case .maxProperties: "maxProperties"
        case .allOf: "allOf"
        case .anyOf: "anyOf"
        case .oneOf: "oneOf"
        case .not: "not"
        case .conditional: "if"
        case .reference: "$ref"
        case .dynamicReference: "$dynamicRef"
        case .unevaluatedItems: "unevaluatedItems"
        case .unevaluatedProperties: "unevaluatedProperties"
        }
    }
}

/// A compiled schema: every reachable subschema, with references resolved to node indices.
struct SchemaGraph: Sendable {
    var nodes: [SchemaNode]
    var root: SchemaNodeID
    /// For each schema resource, its `$dynamicAnchor`s.
    var dynamicAnchors: [[String: SchemaNodeID]]
}
