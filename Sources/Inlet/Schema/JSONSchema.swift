/// A compiled JSON Schema (draft 2020-12): validated and compiled once, then immutable and safe to use from
/// many tasks at once for every event a source receives.
///
/// ```swift
/// let schema = try JSONSchema(try JSONValue(parsing: #"{"required": ["amount"]}"#))
/// schema.validate(payload)  // [SchemaViolation(path: "", keyword: "required", …)]
/// ```
///
/// References resolve within the schema, to the documents given as `resources`, and to the draft 2020-12
/// meta-schemas, which are built in; nothing is fetched over the network. `format` is an annotation only.
public struct JSONSchema: Sendable {
    /// Bounds that keep hostile schemas and payloads from exhausting memory, time or the stack.
    public struct Limits: Sendable {
        /// Deepest JSON nesting accepted in a schema document.
        public var maxSchemaDepth: Int
        /// Most subschemas one compiled schema may hold (the meta-schemas count when referenced).
        public var maxSubschemas: Int
        /// Deepest nesting of subschema evaluations (references and instance depth together).
        public var maxEvaluationDepth: Int
        /// Most subschema evaluations for one instance; guards against exponential reference fan-out.
        public var maxEvaluationSteps: Int
        /// Most violations ``JSONSchema/validate(_:)`` returns.
        public var maxViolations: Int

        public init(
            maxSchemaDepth: Int = 128, maxSubschemas: Int = 10_000, maxEvaluationDepth: Int = 256,
            maxEvaluationSteps: Int = 1_000_000, maxViolations: Int = 100
        ) {
            self.maxSchemaDepth = maxSchemaDepth
            self.maxSubschemas = maxSubschemas
            self.maxEvaluationDepth = maxEvaluationDepth
            self.maxEvaluationSteps = maxEvaluationSteps
            self.maxViolations = maxViolations
        }

        public static let `default` = Limits()
    }

    let graph: SchemaGraph
    public let limits: Limits

    /// Compiles `schema`, checking that it is a well-formed draft 2020-12 schema.
    ///
    /// - Parameter resources: further schema documents, each with an absolute `$id`, that `$ref` and
    ///   `$schema` may name.
    public init(_ schema: JSONValue, resources: [JSONValue] = [], limits: Limits = .default)
        throws(JSONSchemaError)
    {
        var compiler = try SchemaCompiler(root: schema, resources: resources, limits: limits)
        graph = try compiler.compile()
        self.limits = limits
    }

    /// Every way `instance` fails the schema (at most ``Limits/maxViolations``); empty when it is valid.
    public func validate(_ instance: JSONValue) -> [SchemaViolation] {
        var evaluator = SchemaEvaluator(graph: graph, limits: limits, reporting: true)
        return evaluator.run(instance)
    }

    /// Whether `instance` is valid; faster than ``validate(_:)`` since it stops at the first failure.
    public func isValid(_ instance: JSONValue) -> Bool {
        var evaluator = SchemaEvaluator(graph: graph, limits: limits, reporting: false)
        return evaluator.run(instance).isEmpty
    }

    /// ``validate(_:)`` drawing its work from `budget` (shared with the request's filter matching): throws
    /// ``WorkBudgetError`` when the budget runs out or the work is cancelled, which says nothing about whether
    /// the instance is valid.
    public func validate(_ instance: JSONValue, budget: WorkBudget) throws(WorkBudgetError) -> [SchemaViolation] {
        var evaluator = SchemaEvaluator(graph: graph, limits: limits, reporting: true, budget: budget)
        return try evaluator.runWithinBudget(instance)
    }

    /// ``isValid(_:)`` drawing its work from `budget`; throws ``WorkBudgetError`` as ``validate(_:budget:)`` does.
    public func isValid(_ instance: JSONValue, budget: WorkBudget) throws(WorkBudgetError) -> Bool {
        var evaluator = SchemaEvaluator(graph: graph, limits: limits, reporting: false, budget: budget)
        return try evaluator.runWithinBudget(instance).isEmpty
    }
}
