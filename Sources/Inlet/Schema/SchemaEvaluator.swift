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
    private var limitViolation: SchemaViolation? { didSet { isLimited = limitViolation != nil } }
    /// `limitViolation != nil`, read on every subschema and keyword without copying the optional violation.
    private var isLimited = false
    /// Work done, drawn from the caller's budget when there is one.
    private(set) var meter: StepMeter
    /// Set when the budget ran out or the work was cancelled; evaluation unwinds as after a limit violation.
    private(set) var stopped: WorkBudgetError?

    init(graph: SchemaGraph, limits: JSONSchema.Limits, reporting: Bool, budget: WorkBudget? = nil) {
        self.graph = graph
        self.limits = limits
        self.reporting = reporting
        self.meter = StepMeter(budget: budget)
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

    /// ``run(_:)``, throwing when the budget ran out or the work was cancelled before the answer.
    mutating func runWithinBudget(_ instance: JSONValue) throws(WorkBudgetError) -> [SchemaViolation] {
        let violations = run(instance)
        if let stopped { throw stopped }
        try meter.report()
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
        guard !isLimited, enter(node) else { return false }
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
                guard report, violations.count < limits.maxViolations, !isLimited else { break }
            }
        }
        // A reported failure fails every ancestor too, so its annotations may be kept to avoid follow-on noise.
        if valid || report, let local, evaluated != nil { evaluated?.merge(local) }
        return valid && !isLimited
    }

    private mutating func enter(_ node: SchemaNode) -> Bool {
        guard charge((1 &+ node.keywords.count) &* Self.stepsPerKeyword) else { return false }
        depth += 1
        steps += 1
        if depth > limits.maxEvaluationDepth {
            limitViolation = violation(
                "$ref", node, "schema nesting exceeds \(limits.maxEvaluationDepth) levels (a reference loop?)")
        } else if steps > limits.maxEvaluationSteps {
            limitViolation = violation("$ref", node, "validation needs more than \(limits.maxEvaluationSteps) steps")
        }
        if isLimited {
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
        case .pattern(let regex):
            guard case .string(let string) = instance, !matches(regex, string) else { return true }
            return fail(report, "pattern", node, "string does not match the pattern \"\(regex.pattern)\"")
        case .enumeration, .constant, .uniqueItems:
            guard let message = equalityFailure(keyword, instance) else { return true }
            return fail(report, keyword.name, node, message)
        default:
            guard charge(Self.scalarWork(instance)) else { return false }
            guard let message = assertionFailure(keyword, instance) else { return true }
            return fail(report, keyword.name, node, message)
        }
    }

    // MARK: Work

    /// Steps counted per subschema applied and per keyword it holds. Dispatching a keyword (with the copies
    /// and reference counting of the compiled node and the instance) takes 40–60 ns, about 12 regex steps, and
    /// a step should cost about the same CPU whichever evaluator takes it (see docs/reliability.md).
    static let stepsPerKeyword = 12
    /// Steps counted per value hashed by `uniqueItems`: hashing and inserting into a table as large as the
    /// array costs 300–600 ns a value (cache misses), so a hashed value counts as 128 steps.
    static let stepsPerHashedValue = 128
    /// Steps counted for each regex evaluation on top of its own: decoding the string and setting up the
    /// machine (lookahead tables included) cost 70–150 ns, which dominates on short strings such as property
    /// names.
    static let stepsPerRegexCall = 48

    /// Counts `steps` of work; when the budget runs out (or the work is cancelled), stops the evaluation as a
    /// limit violation does and returns `false`.
    mutating func charge(_ steps: Int) -> Bool {
        // Once stopped, loops still running over a large instance unwind without counting (or throwing) again.
        if isLimited { return false }
        do {
            try meter.count(steps)
            return true
        } catch {
            stop(error)
            return false
        }
    }

    /// Records why evaluation stops; every evaluation still running then fails fast.
    mutating func stop(_ error: WorkBudgetError) {
        if stopped == nil { stopped = error }
        if limitViolation == nil {
            limitViolation = SchemaViolation(path: "", keyword: "", schemaPath: "", message: error.message)
        }
    }

    /// Whether `regex` matches `string`, its steps drawn from the budget; `false` once the budget is spent.
    mutating func matches(_ regex: ECMARegex, _ string: String) -> Bool {
        guard charge(Self.stepsPerRegexCall) else { return false }
        do {
            return try regex.matches(string, budget: meter.budget)
        } catch {
            stop(error)
            return false
        }
    }

    /// The steps an assertion on a scalar takes: one, and one per 16 bytes of a string or a number's text.
    static func scalarWork(_ instance: JSONValue) -> Int {
        switch instance {
        case .string(let string): 1 &+ string.utf8.count >> 4
        case .number(let number): 1 &+ number.text.utf8.count >> 4
        default: 1
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
        if report && violations.count < limits.maxViolations && !isLimited {
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
