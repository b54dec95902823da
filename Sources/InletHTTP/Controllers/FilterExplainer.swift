import Foundation
import Inlet
import InletStore

/// Explains, for each subscription of a source, whether its filter matches a payload and, when not, the first
/// failing path, operator and actual value. Shared by `POST /v1/event-sources/{id}/explain` and replay dry runs.
///
/// The payload and the patterns are tenant-controlled: every explanation draws on one ``WorkBudget`` per request,
/// and at most ``maximumSubscriptions`` subscriptions are explained.
struct FilterExplainer {
    let services: Services
    let projectID: UUID

    static let maximumSubscriptions = 1000

    struct Result {
        var explanations: [JSONValue]
        var matched: Int
        var truncated: Bool
    }

    /// Explains `subscriptionID` alone when given (not found when the source has no such subscription), else every
    /// subscription of the source, newest first.
    func explain(
        sourceID: UUID, subscriptionID: UUID?, payload: JSONValue, headers: [String: String], budget: WorkBudget
    ) async throws -> Result {
        let repository = services.subscriptions(projectID)
        let subscriptions: [Subscription]
        var truncated = false
        if let subscriptionID {
            subscriptions = [try await repository.get(sourceID: sourceID, id: subscriptionID)]
        } else {
            let page = try await repository.list(
                sourceID: sourceID, page: Page(limit: Self.maximumSubscriptions, after: nil))
            subscriptions = page.items
            truncated = page.hasMore
        }
        var explanations: [JSONValue] = []
        var matched = 0
        for subscription in subscriptions {
            let explanation: FilterExplanation
            if subscription.filterExpression == [:] {
                explanation = FilterExplanation(matched: true, failure: nil)
            } else {
                // Compiling a tenant's pattern costs about a nanosecond per byte of its text: charged first, so that
                // many large patterns cannot take more CPU than the budget allows.
                try budget.charge(subscription.filterExpression.serializedBytes().count / 4)
                // Validated when written; a pattern that no longer compiles under today's limits explains nothing.
                guard let pattern = try? FilterPattern(subscription.filterExpression) else { continue }
                explanation = try pattern.explain(payload, headers: headers, budget: budget)
            }
            if explanation.matched { matched += 1 }
            explanations.append(
                .object(
                    JSONObject([
                        ("subscription_id", .id(subscription.id)), ("target_id", .id(subscription.targetID)),
                        ("enabled", .bool(subscription.enabled)), ("matched", .bool(explanation.matched)),
                        ("failure", explanation.failure.map(Self.json) ?? .null),
                    ])))
        }
        return Result(explanations: explanations, matched: matched, truncated: truncated)
    }

    static func json(_ failure: FilterExplanation.Failure) -> JSONValue {
        .object(
            JSONObject([
                ("path", .string(failure.path)), ("pattern_path", .string(failure.patternPath)),
                ("operator", .string(failure.operator)), ("expected", failure.expected),
                ("actual", failure.actual ?? .null), ("reason", .string(failure.reason)),
            ]))
    }
}
