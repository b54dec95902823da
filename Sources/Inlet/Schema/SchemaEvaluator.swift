/// Runs a compiled schema against one instance: collects violations (or stops at the first failure when not
/// reporting), tracks evaluated properties and items for `unevaluated*`, and keeps the dynamic scope for
/// `$dynamicRef`. Depth and step limits turn runaway recursion into a violation.
struct SchemaEvaluator {
    enum PathToken {
        case key(String)
        case index(Int)
    }

    let graph: SchemaGraph
    let limits: JSONSchema.Limits
    let reporting: Bool
    var violations: [SchemaViolation] = []
    var path: [PathToken] = []
    private var dynamicScope: [Int] = []
    private var depth = 0
    private var steps = 0
    private var limitViolation: SchemaViolation?

    init(graph: SchemaGraph, limits: JSONSchema.Limits, reporting: Bool) {
        self.graph = graph
        self.limits = limits
        self.reporting = reporting
    }

    /// Evaluates the whole schema; the violations found (at least one when the instance is invalid).
    mutating func run(_ instance: JSONValue) -> [SchemaViolation] {
        var ignored: EvaluatedLocations?
        let valid = evaluate(graph.root, instance, report: reporting, evaluated: &ignored)
        if let limitViolation {
            if violations.count >= limits.maxViolations { violations.removeLast() }
            violations.append(limitViolation)
        } else if !valid && violations.isEmpty {
            let node = graph.nodes[graph.root]
            violations.append(
                SchemaViolation(
                    path: "", keyword: "", schemaPath: node.location, message: "value does not match the schema"))
        }
        return violations
    }

    /// Whether `instance` satisfies node `id`. Failures are recorded only when `report` is set (and the
    /// violation cap is not reached); `evaluated`, when present, receives what this subschema evaluated.
    mutating func evaluate(
        _ id: SchemaNodeID, _ instance: JSONValue, report: Bool, evaluated: inout EvaluatedLocations?
    )
        -> Bool
    {
        let node = graph.nodes[id]
        if node.keywords.isEmpty { return true }
        guard limitViolation == nil, enter(node) else { return false }
        defer { depth -= 1 }
        let entersResource = dynamicScope.last != node.resource
        if entersResource { dynamicScope.append(node.resource) }
        defer { if entersResource { dynamicScope.removeLast() } }

        var local: EvaluatedLocations? = evaluated != nil || node.tracksEvaluation ? EvaluatedLocations() : nil
        var valid = true
        for keyword in node.keywords {
            let report = report && violations.count < limits.maxViolations
            if !evaluate(keyword, of: node, instance, report: report, evaluated: &local) {
                valid = false
                guard report, violations.count < limits.maxViolations, limitViolation == nil else { break }
            }
        }
        // A reported failure fails every ancestor too, so its annotations may be kept to avoid follow-on noise.
        if valid || report, let local, evaluated != nil { evaluated?.merge(local) }
        return valid && limitViolation == nil
    }

    private mutating func enter(_ node: SchemaNode) -> Bool {
        depth += 1
        steps += 1
        if depth > limits.maxEvaluationDepth {
            limitViolation = violation(
                "$ref", node, "schema nesting exceeds \(limits.maxEvaluationDepth) levels (a reference loop?)")
        } else if steps > limits.maxEvaluationSteps {
            limitViolation = violation("$ref", node, "validation needs more than \(limits.maxEvaluationSteps) steps")
        }
        if limitViolation != nil {
            depth -= 1
            return false
        }
        return true
    }

    private mutating func evaluate(
        _ keyword: SchemaKeyword, of node: SchemaNode, _ instance: JSONValue, report: Bool,
        evaluated: inout EvaluatedLocations?
    ) -> Bool {
        switch keyword {
        case .prefixItems, .items, .contains, .unevaluatedItems:
            guard case .array(let elements) = instance else { return true }
            return evaluateArray(keyword, of: node, elements, report: report, evaluated: &evaluated)
        case .properties, .patternProperties, .additionalProperties, .dependentSchemas, .propertyNames,
            .unevaluatedProperties:
            guard case .object(let object) = instance else { return true }
            return evaluateObject(keyword, of: node, object, instance, report: report, evaluated: &evaluated)
        case .allOf, .anyOf, .oneOf, .not, .conditional, .reference, .dynamicReference:
            return evaluateInPlace(keyword, of: node, instance, report: report, evaluated: &evaluated)
        case .required, .dependentRequired:
            guard case .object(let object) = instance else { return true }
            return evaluateRequired(keyword, of: node, object, report: report)
        default:
            guard let message = assertionFailure(keyword, instance) else { return true }
            return fail(report, keyword.name, node, message)
        }
    }

    // MARK: Violations and paths

    /// A violation of `keyword` of `node` at the current instance location.
    func violation(_ keyword: String, _ node: SchemaNode, _ message: String, schemaSuffix: [String] = [])
        -> SchemaViolation
    {
        var pointer = ""
        for token in path {
            switch token {
            case .key(let key): pointer = JSONPointer.append(pointer, key)
            case .index(let index): pointer = JSONPointer.append(pointer, index)
            }
        }
        var schemaPath = node.location + "/" + keyword
        for token in schemaSuffix { schemaPath = JSONPointer.append(schemaPath, token) }
        return SchemaViolation(path: pointer, keyword: keyword, schemaPath: schemaPath, message: message)
    }

    /// Records a violation when reporting; returns `false` so callers can `return fail(…)`.
    mutating func fail(
        _ report: Bool, _ keyword: String, _ node: SchemaNode, _ message: @autoclosure () -> String,
        schemaSuffix: [String] = []
    ) -> Bool {
        // After a limit stops evaluation, failures are its consequence, not the instance's.
        if report && violations.count < limits.maxViolations && limitViolation == nil {
            violations.append(violation(keyword, node, message(), schemaSuffix: schemaSuffix))
        }
        return false
    }

    /// Evaluates node `id` against `instance`, found at `token` below the current location.
    mutating func evaluate(
        _ id: SchemaNodeID, _ instance: JSONValue, at token: PathToken, report: Bool,
        evaluated: inout EvaluatedLocations?
    ) -> Bool {
        path.append(token)
        defer { path.removeLast() }
        return evaluate(id, instance, report: report, evaluated: &evaluated)
    }

    /// Evaluates node `id` below the current location when nothing needs what it evaluated.
    mutating func evaluate(_ id: SchemaNodeID, _ instance: JSONValue, at token: PathToken, report: Bool) -> Bool {
        var ignored: EvaluatedLocations?
        return evaluate(id, instance, at: token, report: report, evaluated: &ignored)
    }

    /// Where node `id` leads for a `$dynamicRef` to `anchor`: the outermost resource in the dynamic scope that
    /// declares the anchor.
    func dynamicTarget(_ target: SchemaNodeID, anchor: String?) -> SchemaNodeID {
        guard let anchor else { return target }
        for resource in dynamicScope {
            if let id = graph.dynamicAnchors[resource][anchor] { return id }
        }
        return target
    }
}
