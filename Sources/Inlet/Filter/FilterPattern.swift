/// A compiled EventBridge event pattern (the language of aws/event-ruler), matched against event payloads
/// and the request headers recorded with them.
///
/// Compile once, match many times: ``init(_:limits:)`` validates the pattern and throws a
/// ``FilterPatternError`` naming the offending part; ``matches(_:headers:)`` does no parsing. To match many
/// patterns at once, use ``CompiledFilterSet``.
public struct FilterPattern: Sendable {
    /// The pattern as given.
    public let source: JSONValue
    let program: FilterProgram
    let paths: FilterPaths

    public init(_ pattern: JSONValue, limits: FilterPatternLimits = .default) throws(FilterPatternError) {
        var compiler = PatternCompiler(limits: limits)
        var program = try compiler.compile(pattern)
        var paths = FilterPaths()
        for index in program.fields.indices {
            program.fields[index].pathID = paths.id(for: program.fields[index])
        }
        self.source = pattern
        self.program = program
        self.paths = paths
    }

    /// Whether the event (and its headers: lower-case names, string values) matches the pattern.
    public func matches(_ event: JSONValue, headers: [String: String] = [:]) -> Bool {
        let evaluator = BranchEvaluator(
            event: FlattenedEvent(event, headers: headers, paths: paths), fields: program.fields)
        for branch in program.branches where evaluator.matches(branch) { return true }
        return false
    }

    /// Whether the event matches and, if not, which condition failed first.
    public func explain(_ event: JSONValue, headers: [String: String] = [:]) -> FilterExplanation {
        let evaluator = BranchEvaluator(
            event: FlattenedEvent(event, headers: headers, paths: paths), fields: program.fields)
        for branch in program.branches where evaluator.matches(branch) {
            return FilterExplanation(matched: true, failure: nil)
        }
        return FilterExplanation(matched: false, failure: program.branches.first.map(evaluator.failure(of:)))
    }
}
