extension SchemaEvaluator {
    /// Keywords that apply subschemas to the same instance: `allOf`, `anyOf`, `oneOf`, `not`, `if`, `$ref`
    /// and `$dynamicRef`. Only subschemas whose success is required report their own violations.
    mutating func evaluateInPlace(
        _ keyword: SchemaKeyword, of node: SchemaNode, _ instance: JSONValue, report: Bool,
        evaluated: inout EvaluatedLocations?
    ) -> Bool {
        switch keyword {
        case .allOf(let ids):
            var valid = true
            for id in ids where !evaluate(id, instance, report: report, evaluated: &evaluated) {
                valid = false
                if !report { break }
            }
            return valid
        case .anyOf(let ids):
            var matched = false
            for id in ids {
                var branch: EvaluatedLocations? = evaluated == nil ? nil : EvaluatedLocations()
                guard evaluate(id, instance, report: false, evaluated: &branch) else { continue }
                matched = true
                // Later branches matter only for what they evaluate.
                guard let branch else { break }
                evaluated?.merge(branch)
            }
            return matched || fail(report, "anyOf", node, "value does not match any of the schemas in anyOf")
        case .oneOf(let ids):
            var matches: [Int] = []
            var collected: EvaluatedLocations?
            for (offset, id) in ids.enumerated() {
                var branch: EvaluatedLocations? = evaluated == nil ? nil : EvaluatedLocations()
                guard evaluate(id, instance, report: false, evaluated: &branch) else { continue }
                matches.append(offset)
                collected = branch
                if matches.count > 1 { break }
            }
            if matches.count == 1 {
                if let collected { evaluated?.merge(collected) }
                return true
            }
            if matches.isEmpty {
                return fail(report, "oneOf", node, "value does not match any of the schemas in oneOf")
            }
            return fail(
                report, "oneOf", node, "value matches more than one schema in oneOf (\(matches[0]) and \(matches[1]))")
        case .not(let id):
            var ignored: EvaluatedLocations?
            guard evaluate(id, instance, report: false, evaluated: &ignored) else { return true }
            return fail(report, "not", node, "value must not match the schema in not")
        case .conditional(let condition, let then, let otherwise):
            var branch: EvaluatedLocations? = evaluated == nil ? nil : EvaluatedLocations()
            if evaluate(condition, instance, report: false, evaluated: &branch) {
                if let branch { evaluated?.merge(branch) }
                guard let then else { return true }
                return evaluate(then, instance, report: report, evaluated: &evaluated)
            }
            guard let otherwise else { return true }
            return evaluate(otherwise, instance, report: report, evaluated: &evaluated)
        case .reference(let target):
            return evaluate(target, instance, report: report, evaluated: &evaluated)
        case .dynamicReference(let target, let anchor):
            return evaluate(dynamicTarget(target, anchor: anchor), instance, report: report, evaluated: &evaluated)
        default:
            return true
        }
    }
}
