import Foundation
import Metrics

/// Dispatch counters per project (the only id allowed in labels, so cardinality stays bounded by tenants).
public struct DispatchMetrics: Sendable {
    public enum Outcome: String, Sendable {
        /// Stored, with at least one run.
        case accepted
        /// Stored, but no subscription matched.
        case unmatched
        case duplicate
        case schemaRejected = "schema_rejected"
    }

    let factory: any MetricsFactory

    public init(factory: any MetricsFactory) { self.factory = factory }

    func record(_ outcome: Outcome, projectID: UUID, via: String, runs: Int = 0) {
        let project = projectID.uuidString.lowercased()
        Counter(
            label: "inlet_dispatch_events_total",
            dimensions: [("project", project), ("outcome", outcome.rawValue), ("via", via)], factory: factory
        ).increment()
        if runs > 0 {
            Counter(label: "inlet_dispatch_runs_created_total", dimensions: [("project", project)], factory: factory)
                .increment(by: runs)
        }
    }
}
