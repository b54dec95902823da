/// Checks and compiles the keywords of one schema object, in evaluation order: cheap assertions first,
/// then references and applicators, then `unevaluatedItems`/`unevaluatedProperties`, which need the others'
/// results.
struct SchemaKeywordBuilder {
    let object: JSONObject
    let location: SchemaLocation
    let base: SchemaURI
    let vocabularies: SchemaVocabularies
    /// How errors name this schema object (see ``SchemaDocumentIndex/describe(_:)``).
    let describedLocation: String
    var keywords: [SchemaKeyword] = []

    mutating func build(with compiler: inout SchemaCompiler) throws(JSONSchemaError) -> [SchemaKeyword] {
        if vocabularies.contains(.validation) { try buildAssertions(compiler) }
        try buildCore(&compiler)
        if vocabularies.contains(.applicator) {
            try buildArrayApplicators(&compiler)
            try buildObjectApplicators(&compiler)
            try buildLogic(&compiler)
        }
        if vocabularies.contains(.unevaluated) {
            if let value = object["unevaluatedItems"] {
                keywords.append(.unevaluatedItems(try schema("unevaluatedItems", value, &compiler)))
            }
            if let value = object["unevaluatedProperties"] {
                keywords.append(.unevaluatedProperties(try schema("unevaluatedProperties", value, &compiler)))
            }
        }
        return keywords
    }

    // MARK: Helpers

    func location(_ keyword: String, _ tokens: [String] = []) -> SchemaLocation {
        var pointer = JSONPointer.append(location.pointer, keyword)
        for token in tokens { pointer = JSONPointer.append(pointer, token) }
        return SchemaLocation(document: location.document, pointer: pointer)
    }

    func error(_ keyword: String, _ message: String, code: JSONSchemaError.Code = .invalidKeyword)
        -> JSONSchemaError
    {
        JSONSchemaError(code: code, pointer: JSONPointer.append(describedLocation, keyword), message: message)
    }

    /// The subschema at `keyword` (followed by `tokens`), compiled later by the work list.
    func schema(_ keyword: String, _ value: JSONValue, _ compiler: inout SchemaCompiler, _ tokens: [String] = [])
        throws(JSONSchemaError) -> SchemaNodeID
    {
        switch value {
        case .bool, .object: return try compiler.nodeID(for: location(keyword, tokens), value: value)
        default:
            let path = ([keyword] + tokens).joined(separator: "/")
            throw error(keyword, "\(path) must be a schema (an object or a boolean), found \(value.typeName)")
        }
    }

    private func schemaArray(_ keyword: String, _ compiler: inout SchemaCompiler) throws(JSONSchemaError)
        -> [SchemaNodeID]?
    {
        guard let value = object[keyword] else { return nil }
        guard case .array(let elements) = value, !elements.isEmpty else {
            throw error(keyword, "\(keyword) must be a non-empty array of schemas")
        }
        var ids: [SchemaNodeID] = []
        for (offset, element) in elements.enumerated() {
            ids.append(try schema(keyword, element, &compiler, [String(offset)]))
        }
        return ids
    }

    private func schemaMap(_ keyword: String, _ compiler: inout SchemaCompiler) throws(JSONSchemaError)
        -> [(String, SchemaNodeID)]?
    {
        guard let value = object[keyword] else { return nil }
        guard case .object(let members) = value else { throw error(keyword, "\(keyword) must be an object of schemas") }
        var ids: [(String, SchemaNodeID)] = []
        for (name, member) in members { ids.append((name, try schema(keyword, member, &compiler, [name]))) }
        return ids
    }

    func regex(_ pattern: String, _ keyword: String) throws(JSONSchemaError) -> ECMARegex {
        do {
            return try ECMARegex(pattern)
        } catch {
            throw self.error(
                keyword, "invalid regular expression \"\(pattern)\": \(error.message)", code: .invalidPattern)
        }
    }

    // MARK: Core

    private mutating func buildCore(_ compiler: inout SchemaCompiler) throws(JSONSchemaError) {
        if let value = object["$ref"] {
            guard case .string(let text) = value else { throw error("$ref", "$ref must be a string") }
            let (target, targetValue, _) = try compiler.resolve(text, base: base, from: location("$ref"))
            keywords.append(.reference(try compiler.nodeID(for: target, value: targetValue)))
        }
        if let value = object["$dynamicRef"] {
            guard case .string(let text) = value else { throw error("$dynamicRef", "$dynamicRef must be a string") }
            let (target, targetValue, fragment) = try compiler.resolve(text, base: base, from: location("$dynamicRef"))
            var anchor: String?
            if let fragment, !fragment.hasPrefix("/"), case .string(fragment) = targetValue["$dynamicAnchor"] {
                anchor = fragment
                compiler.noteDynamicAnchor(fragment)
            }
            keywords.append(.dynamicReference(try compiler.nodeID(for: target, value: targetValue), anchor: anchor))
        }
        // Definitions are compiled even when unused, so that a broken one is reported when the schema is saved.
        _ = try schemaMap("$defs", &compiler)
        if let value = object["$comment"], value.stringValue == nil {
            throw error("$comment", "$comment must be a string")
        }
    }

    // MARK: Applicators

    private mutating func buildArrayApplicators(_ compiler: inout SchemaCompiler) throws(JSONSchemaError) {
        let prefix = try schemaArray("prefixItems", &compiler)
        if let prefix { keywords.append(.prefixItems(prefix)) }
        if let value = object["items"] {
            if case .array = value { throw error("items", "items must be a schema; use prefixItems for tuples") }
            keywords.append(.items(try schema("items", value, &compiler), after: prefix?.count ?? 0))
        }
        if let value = object["contains"] {
            let validation = vocabularies.contains(.validation)
            let minimum = validation ? try nonNegativeInteger("minContains") ?? 1 : 1
            let maximum = validation ? try nonNegativeInteger("maxContains") : nil
            keywords.append(.contains(try schema("contains", value, &compiler), minimum: minimum, maximum: maximum))
        }
    }

    private mutating func buildObjectApplicators(_ compiler: inout SchemaCompiler) throws(JSONSchemaError) {
        let properties = try schemaMap("properties", &compiler)
        if let properties, !properties.isEmpty {
            keywords.append(.properties(Dictionary(properties, uniquingKeysWith: { first, _ in first })))
        }
        var patterns: [(ECMARegex, SchemaNodeID)] = []
        if let patternProperties = try schemaMap("patternProperties", &compiler) {
            for (pattern, id) in patternProperties { patterns.append((try regex(pattern, "patternProperties"), id)) }
            if !patterns.isEmpty { keywords.append(.patternProperties(patterns)) }
        }
        if let value = object["additionalProperties"] {
            let id = try schema("additionalProperties", value, &compiler)
            keywords.append(
                .additionalProperties(id, declared: Set((properties ?? []).map(\.0)), patterns: patterns.map(\.0)))
        }
        if let dependent = try schemaMap("dependentSchemas", &compiler), !dependent.isEmpty {
            keywords.append(.dependentSchemas(dependent))
        }
        if let value = object["propertyNames"] {
            keywords.append(.propertyNames(try schema("propertyNames", value, &compiler)))
        }
    }

    private mutating func buildLogic(_ compiler: inout SchemaCompiler) throws(JSONSchemaError) {
        if let ids = try schemaArray("allOf", &compiler) { keywords.append(.allOf(ids)) }
        if let ids = try schemaArray("anyOf", &compiler) { keywords.append(.anyOf(ids)) }
        if let ids = try schemaArray("oneOf", &compiler) { keywords.append(.oneOf(ids)) }
        if let value = object["not"] { keywords.append(.not(try schema("not", value, &compiler))) }
        let then = try object["then"].map { value throws(JSONSchemaError) in try schema("then", value, &compiler) }
        let otherwise = try object["else"].map { value throws(JSONSchemaError) in try schema("else", value, &compiler) }
        if let value = object["if"] {
            keywords.append(.conditional(if: try schema("if", value, &compiler), then: then, else: otherwise))
        }
    }
}
