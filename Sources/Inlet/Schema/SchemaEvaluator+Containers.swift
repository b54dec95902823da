extension SchemaEvaluator {
    /// Array applicators: `prefixItems`, `items`, `contains` (with `minContains`/`maxContains`) and
    /// `unevaluatedItems`.
    mutating func evaluateArray(
        _ keyword: SchemaKeyword, of node: SchemaNode, _ elements: [JSONValue], report: Bool,
        evaluated: inout EvaluatedLocations?
    ) -> Bool {
        switch keyword {
        case .prefixItems(let ids):
            var valid = true
            for (index, id) in ids.enumerated() where index < elements.count {
                guard !evaluate(id, elements[index], at: .index(index), report: report) else { continue }
                valid = false
                if !report { return false }
            }
            if let prefix = evaluated?.itemPrefix {
                evaluated?.itemPrefix = max(prefix, min(ids.count, elements.count))
            }
            return valid
        case .items(let id, let after):
            guard elements.count > after else { return true }
            if graph.nodes[id].rejectsEverything {
                let limit = after == 0 ? "be empty" : "have at most \(after) items"
                return fail(report, "items", node, "array must \(limit), found \(elements.count)")
            }
            evaluated?.allItems = true
            return each(elements.indices.dropFirst(after), of: elements, id, report: report)
        case .contains(let id, let minimum, let maximum):
            var count = 0
            for (index, element) in elements.enumerated() where evaluate(id, element, at: .index(index), report: false)
            {
                count += 1
                evaluated?.items.insert(index)
                if evaluated == nil, maximum == nil, count >= minimum { break }
            }
            if count < minimum {
                if minimum == 1 { return fail(report, "contains", node, "array contains no matching item") }
                return fail(
                    report, "minContains", node, "array contains \(count) matching items, at least \(minimum) required")
            }
            if let maximum, count > maximum {
                return fail(
                    report, "maxContains", node, "array contains \(count) matching items, at most \(maximum) allowed")
            }
            return true
        case .unevaluatedItems(let id):
            let unevaluated = elements.indices.filter { !(evaluated?.contains(item: $0) ?? false) }
            evaluated?.allItems = true
            guard !unevaluated.isEmpty else { return true }
            if graph.nodes[id].rejectsEverything {
                path.append(.index(unevaluated[0]))
                defer { path.removeLast() }
                return fail(report, "unevaluatedItems", node, "item \(unevaluated[0]) is not allowed by the schema")
            }
            return each(unevaluated, of: elements, id, report: report)
        default:
            return true
        }
    }

    private mutating func each(
        _ indices: some Sequence<Int>, of elements: [JSONValue], _ id: SchemaNodeID, report: Bool
    )
        -> Bool
    {
        var valid = true
        for index in indices where !evaluate(id, elements[index], at: .index(index), report: report) {
            valid = false
            if !report { break }
        }
        return valid
    }

    /// Object applicators: `properties`, `patternProperties`, `additionalProperties`, `dependentSchemas`,
    /// `propertyNames` and `unevaluatedProperties`.
    mutating func evaluateObject(
        _ keyword: SchemaKeyword, of node: SchemaNode, _ object: JSONObject, _ instance: JSONValue, report: Bool,
        evaluated: inout EvaluatedLocations?
    ) -> Bool {
        var valid = true
        switch keyword {
        case .properties(let schemas):
            for (key, value) in object {
                guard let id = schemas[key] else { continue }
                evaluated?.properties.insert(key)
                valid = member(key, value, id, keyword: "properties", of: node, report: report) && valid
                if !valid && !report { return false }
            }
        case .patternProperties(let patterns):
            for (key, value) in object {
                for (regex, id) in patterns where matches(regex, key) {
                    evaluated?.properties.insert(key)
                    valid = member(key, value, id, keyword: "patternProperties", of: node, report: report) && valid
                    if !valid && !report { return false }
                }
            }
        case .additionalProperties(let id, let declared, let patterns):
            for (key, value) in object where !declared.contains(key) {
                var matchesPattern = false
                for regex in patterns where matches(regex, key) {
                    matchesPattern = true
                    break
                }
                if matchesPattern { continue }
                evaluated?.properties.insert(key)
                valid = member(key, value, id, keyword: "additionalProperties", of: node, report: report) && valid
                if !valid && !report { return false }
            }
        case .dependentSchemas(let dependencies):
            for (name, id) in dependencies where object.contains(key: name) {
                valid = evaluate(id, instance, report: report, evaluated: &evaluated) && valid
                if !valid && !report { return false }
            }
        case .propertyNames(let id):
            for key in object.keys where !evaluate(id, .string(key), at: .key(key), report: false) {
                path.append(.key(key))
                defer { path.removeLast() }
                valid = fail(report, "propertyNames", node, "property name \"\(key)\" is not allowed by propertyNames")
                if !report { return false }
            }
        case .unevaluatedProperties(let id):
            let seen = evaluated
            evaluated?.allProperties = true
            for (key, value) in object where !(seen?.contains(property: key) ?? false) {
                valid = member(key, value, id, keyword: "unevaluatedProperties", of: node, report: report) && valid
                if !valid && !report { return false }
            }
        default:
            break
        }
        return valid
    }

    /// Applies `id` to the member `key`; for a `false` schema, reports the property itself as not allowed.
    private mutating func member(
        _ key: String, _ value: JSONValue, _ id: SchemaNodeID, keyword: String, of node: SchemaNode, report: Bool
    ) -> Bool {
        guard graph.nodes[id].rejectsEverything else { return evaluate(id, value, at: .key(key), report: report) }
        path.append(.key(key))
        defer { path.removeLast() }
        return fail(report, keyword, node, "property \"\(key)\" is not allowed")
    }
}
