extension SchemaKeywordBuilder {
    /// Compiles the validation vocabulary's assertions, checking each value's form.
    mutating func buildAssertions(_ compiler: SchemaCompiler) throws(JSONSchemaError) {
        if let value = object["type"] { keywords.append(.type(try typeSet(value))) }
        if let value = object["enum"] {
            guard case .array(let allowed) = value else { throw error("enum", "enum must be an array") }
            keywords.append(.enumeration(allowed))
        }
        if let value = object["const"] { keywords.append(.constant(value)) }
        if let divisor = try number("multipleOf") {
            guard divisor > JSONNumber(0) else { throw error("multipleOf", "multipleOf must be greater than 0") }
            keywords.append(.multipleOf(divisor))
        }
        if let bound = try number("minimum") { keywords.append(.minimum(bound, exclusive: false)) }
        if let bound = try number("exclusiveMinimum") { keywords.append(.minimum(bound, exclusive: true)) }
        if let bound = try number("maximum") { keywords.append(.maximum(bound, exclusive: false)) }
        if let bound = try number("exclusiveMaximum") { keywords.append(.maximum(bound, exclusive: true)) }
        if let length = try nonNegativeInteger("minLength") { keywords.append(.minLength(length)) }
        if let length = try nonNegativeInteger("maxLength") { keywords.append(.maxLength(length)) }
        if let value = object["pattern"] {
            guard case .string(let pattern) = value else { throw error("pattern", "pattern must be a string") }
            keywords.append(.pattern(try regex(pattern, "pattern")))
        }
        if let count = try nonNegativeInteger("minItems") { keywords.append(.minItems(count)) }
        if let count = try nonNegativeInteger("maxItems") { keywords.append(.maxItems(count)) }
        if let value = object["uniqueItems"] {
            guard case .bool(let unique) = value else { throw error("uniqueItems", "uniqueItems must be a boolean") }
            if unique { keywords.append(.uniqueItems) }
        }
        _ = try nonNegativeInteger("minContains")
        _ = try nonNegativeInteger("maxContains")
        if let count = try nonNegativeInteger("minProperties") { keywords.append(.minProperties(count)) }
        if let count = try nonNegativeInteger("maxProperties") { keywords.append(.maxProperties(count)) }
        if let value = object["required"] {
            let names = try uniqueStrings(value, "required")
            if !names.isEmpty { keywords.append(.required(names)) }
        }
        if let value = object["dependentRequired"] {
            guard case .object(let members) = value else {
                throw error("dependentRequired", "dependentRequired must be an object of string arrays")
            }
            var dependencies: [(String, [String])] = []
            for (name, member) in members {
                dependencies.append((name, try uniqueStrings(member, "dependentRequired")))
            }
            if !dependencies.isEmpty { keywords.append(.dependentRequired(dependencies)) }
        }
    }

    private func typeSet(_ value: JSONValue) throws(JSONSchemaError) -> SchemaTypeSet {
        func named(_ name: String) throws(JSONSchemaError) -> SchemaTypeSet {
            guard let type = SchemaTypeSet.names.first(where: { $0.0 == name })?.1 else {
                let known = SchemaTypeSet.names.map(\.0).joined(separator: ", ")
                throw error("type", "unknown type \"\(name)\"; expected one of \(known)")
            }
            return type
        }
        switch value {
        case .string(let name): return try named(name)
        case .array(let names) where !names.isEmpty:
            var types: SchemaTypeSet = []
            for name in names {
                guard case .string(let text) = name else { throw error("type", "type names must be strings") }
                let type = try named(text)
                guard !types.contains(type) else { throw error("type", "type lists \"\(text)\" twice") }
                types.insert(type)
            }
            return types
        default:
            throw error("type", "type must be a type name or a non-empty array of type names")
        }
    }

    private func number(_ keyword: String) throws(JSONSchemaError) -> JSONNumber? {
        guard let value = object[keyword] else { return nil }
        guard case .number(let number) = value else {
            throw error(keyword, "\(keyword) must be a number, found \(value.typeName)")
        }
        return number
    }

    func nonNegativeInteger(_ keyword: String) throws(JSONSchemaError) -> Int? {
        guard let value = object[keyword] else { return nil }
        guard case .number(let number) = value, number.isInteger, !number.isNegative else {
            throw error(keyword, "\(keyword) must be a non-negative integer")
        }
        return number.int64.map { Int(clamping: $0) } ?? Int.max
    }

    private func uniqueStrings(_ value: JSONValue, _ keyword: String) throws(JSONSchemaError) -> [String] {
        guard case .array(let elements) = value else { throw error(keyword, "\(keyword) must be an array of strings") }
        var names: [String] = []
        var seen: Set<String> = []
        for element in elements {
            guard case .string(let name) = element else {
                throw error(keyword, "\(keyword) must be an array of strings")
            }
            guard seen.insert(name).inserted else { throw error(keyword, "\(keyword) lists \"\(name)\" twice") }
            names.append(name)
        }
        return names
    }
}
