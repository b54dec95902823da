import Foundation
import Inlet

/// Everything dispatch needs about one source, compiled once and cached per server node: the source, its
/// compiled schema, and one matcher over all its enabled subscriptions whose job is enabled.
public struct SourceRoute: Sendable {
    public struct Target: Sendable {
        public let subscriptionID: UUID
        public let jobID: UUID
        public let maxAttempts: Int
        /// Where the runs' ordering key is read from the payload when the dispatch gives none.
        public let orderingKeyPath: OrderingKeyPath?
    }

    public let source: EventSource
    /// `nil` when the schema is `{}` (every payload is valid): no validation cost at all.
    public let schema: JSONSchema?
    public let targets: [Target]
    /// Matches payloads to indexes into ``targets``.
    let filters: CompiledFilterSet<Int>
    /// Targets whose filter is `{}`: they match every event.
    let unfiltered: [Int]
    /// A rough upper estimate of the memory the compiled route holds, for the cache's bound: its schema and
    /// filters as JSON text, times the compiled forms' overhead, plus a fixed cost per target.
    let estimatedBytes: Int

    init(source: EventSource, subscriptions: [(Subscription, jobEnabled: Bool, maxAttempts: Int)]) throws {
        self.source = source
        self.schema = source.schema == [:] ? nil : try JSONSchema(source.schema)
        var targets: [Target] = []
        var patterns: [(id: Int, pattern: FilterPattern)] = []
        var unfiltered: [Int] = []
        var textBytes = source.schema == [:] ? 0 : source.schema.serializedBytes().count
        for (subscription, jobEnabled, maxAttempts) in subscriptions where subscription.enabled && jobEnabled {
            if subscription.filterExpression == [:] {
                unfiltered.append(targets.count)
            } else {
                patterns.append((targets.count, try FilterPattern(subscription.filterExpression)))
                textBytes += subscription.filterExpression.serializedBytes().count
            }
            targets.append(
                Target(
                    subscriptionID: subscription.id, jobID: subscription.targetID, maxAttempts: maxAttempts,
                    orderingKeyPath: subscription.orderingKeyPath.flatMap { try? OrderingKeyPath($0) }))
        }
        self.targets = targets
        self.unfiltered = unfiltered
        self.filters = CompiledFilterSet(patterns)
        self.estimatedBytes = 1024 + 16 * textBytes + 128 * targets.count
    }

    /// Whether some target reads its ordering key from the payload.
    public var readsOrderingKeys: Bool { targets.contains { $0.orderingKeyPath != nil } }

    /// The targets whose filters match an event's payload, in subscription order; the matching draws on
    /// `budget`. Matches the payload's tree when it is at hand, else its text, without building a tree.
    public func matchingTargets(payload: EventPayload, headers: [String: String], budget: WorkBudget) throws
        -> [Target]
    {
        if let tree = payload.parsed { return try matchingTargets(payload: tree, headers: headers, budget: budget) }
        var indexes = unfiltered
        if filters.count > 0 { indexes += try filters.matches(json: payload.text, headers: headers, budget: budget) }
        if !unfiltered.isEmpty, filters.count > 0 { indexes.sort() }
        return indexes.map { targets[$0] }
    }

    /// The targets whose filters match an event, in subscription order; the matching draws on `budget`.
    public func matchingTargets(payload: JSONValue, headers: [String: String], budget: WorkBudget)
        throws(WorkBudgetError)
        -> [Target]
    {
        var indexes = unfiltered
        if filters.count > 0 { indexes += try filters.matches(payload, headers: headers, budget: budget) }
        if !unfiltered.isEmpty, filters.count > 0 { indexes.sort() }
        return indexes.map { targets[$0] }
    }
}
