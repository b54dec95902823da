import Foundation
import Metrics

/// Dispatch counters, per project when `projectLabels` is on (the only id ever allowed in labels; off by default,
/// since the number of series would grow with the number of tenants).
public struct DispatchMetrics: Sendable {
    public enum Outcome: String, Sendable {
        /// Stored, with at least one run.
        case accepted
        /// Stored, but no subscription matched.
        case unmatched
        case duplicate
        case schemaRejected = "schema_rejected"
        /// Refused: evaluating the payload against the tenant's schema and filters took more than its budget.
        case workBudgetExceeded = "work_budget_exceeded"
        /// Stopped while the payload was evaluated: the client hung up or the request's deadline passed.
        case cancelled
    }

    let factory: any MetricsFactory
    let projectLabels: Bool

    public init(factory: any MetricsFactory, projectLabels: Bool = false) {
        self.factory = factory
        self.projectLabels = projectLabels
    }

    func record(_ outcome: Outcome, projectID: UUID, via: String, runs: Int = 0) {
        let project: [(String, String)] = projectLabels ? [("project", projectID.uuidString.lowercased())] : []
        Counter(
            label: "inlet_dispatch_events_total",
            dimensions: project + [("outcome", outcome.rawValue), ("via", via)], factory: factory
        ).increment()
        if runs > 0 {
            Counter(label: "inlet_dispatch_runs_created_total", dimensions: project, factory: factory)
                .increment(by: runs)
        }
    }
}
