extension SchemaEvaluator {
    /// The message for a failed assertion keyword, or `nil` when `instance` satisfies it (or is of a type the
    /// keyword does not constrain).
    func assertionFailure(_ keyword: SchemaKeyword, _ instance: JSONValue) -> String? {
        switch (keyword, instance) {
        case (.never, _):
            return "no value is allowed here"
        case (.type(let types), _):
            return types.accepts(instance) ? nil : "expected \(types.description), found \(Self.describeType(instance))"
        case (.multipleOf(let divisor), .number(let number)):
            return number.isMultiple(of: divisor) ? nil : "\(number) is not a multiple of \(divisor)"
        case (.minimum(let bound, let exclusive), .number(let number)):
            if exclusive { return number > bound ? nil : "\(number) must be greater than \(bound)" }
            return number >= bound ? nil : "\(number) is less than the minimum of \(bound)"
        case (.maximum(let bound, let exclusive), .number(let number)):
            if exclusive { return number < bound ? nil : "\(number) must be less than \(bound)" }
            return number <= bound ? nil : "\(number) is greater than the maximum of \(bound)"
        case (.minLength(let length), .string(let string)):
            return Self.length(of: string, atLeast: length) ? nil : "string is shorter than \(length) characters"
        case (.maxLength(let length), .string(let string)):
            return Self.length(of: string, atLeast: length + 1) ? "string is longer than \(length) characters" : nil
        case (.minItems(let count), .array(let elements)):
            return elements.count >= count ? nil : "array has \(elements.count) items, at least \(count) required"
        case (.maxItems(let count), .array(let elements)):
            return elements.count <= count ? nil : "array has \(elements.count) items, at most \(count) allowed"
        case (.minProperties(let count), .object(let object)):
            return object.count >= count ? nil : "object has \(object.count) properties, at least \(count) required"
        case (.maxProperties(let count), .object(let object)):
            return object.count <= count ? nil : "object has \(object.count) properties, at most \(count) allowed"
        default:
            return nil
        }
    }

    /// `enum`, `const` and `uniqueItems`, counting the values they compare and hash: the message for a failure,
    /// or `nil`. `uniqueItems` hashes each item once, so it takes time linear in the array, not quadratic.
    mutating func equalityFailure(_ keyword: SchemaKeyword, _ instance: JSONValue) -> String? {
        var work = 0
        defer { _ = charge(work) }
        switch (keyword, instance) {
        case (.enumeration(let allowed), _):
            guard !allowed.contains(where: { $0.isExactlyEqual(to: instance, work: &work) }) else { return nil }
            let listed = allowed.prefix(5).map { Self.abbreviate($0) }.joined(separator: ", ")
            return "value must be one of \(listed)\(allowed.count > 5 ? ", …" : "")"
        case (.constant(let expected), _):
            guard !instance.isExactlyEqual(to: expected, work: &work) else { return nil }
            return "value must be \(Self.abbreviate(expected))"
        case (.uniqueItems, .array(let elements)):
            var firstIndex: [ExactJSONValue: Int] = [:]
            firstIndex.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                // Charged as it goes: one array may hold hundreds of thousands of values.
                guard charge(element.hashingWork &* Self.stepsPerHashedValue) else { return nil }
                if let earlier = firstIndex.updateValue(index, forKey: ExactJSONValue(value: element)) {
                    return "array items \(earlier) and \(index) are equal"
                }
            }
            return nil
        default:
            return nil
        }
    }

    /// `required` and `dependentRequired`: one violation per missing property.
    mutating func evaluateRequired(_ keyword: SchemaKeyword, of node: SchemaNode, _ object: JSONObject, report: Bool)
        -> Bool
    {
        var valid = true
        switch keyword {
        case .required(let names):
            for name in names where !object.contains(key: name) {
                valid = fail(report, "required", node, "missing required property \"\(name)\"")
                if !report { break }
            }
        case .dependentRequired(let dependencies):
            for (trigger, names) in dependencies where object.contains(key: trigger) {
                for name in names where !object.contains(key: name) {
                    valid = fail(
                        report, "dependentRequired", node,
                        "property \"\(name)\" is required when \"\(trigger)\" is present", schemaSuffix: [trigger])
                    if !report { return false }
                }
            }
        default:
            break
        }
        return valid
    }

    /// Whether `string` has at least `count` Unicode scalars, without counting past `count`.
    private static func length(of string: String, atLeast count: Int) -> Bool {
        if count <= 0 { return true }
        if string.utf8.count < count { return false }  // every scalar takes at least one byte
        var seen = 0
        for _ in string.unicodeScalars {
            seen += 1
            if seen >= count { return true }
        }
        return false
    }

    private static func describeType(_ value: JSONValue) -> String {
        if case .number(let number) = value, number.isInteger { return "integer" }
        return value.typeName
    }

    /// Compact JSON for messages, cut at 60 characters.
    private static func abbreviate(_ value: JSONValue) -> String {
        let text = value.serialized()
        return text.count <= 60 ? text : String(text.prefix(57)) + "…"
    }
}
