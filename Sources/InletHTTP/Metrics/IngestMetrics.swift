import Foundation
import Inlet
import Metrics

/// Ingest requests refused by signature verification, as `inlet_ingest_rejected_total{project, reason}`.
///
/// Accepted and duplicate ingests are dispatch outcomes (`inlet_dispatch_events_total{via="ingest"}`). The reason
/// is the internal ``SignatureRejection`` (ten values, or `configuration` for a source whose stored settings
/// cannot verify anything): operators see it here and in the log, the sender only ever sees the same bare 401.
struct IngestMetrics: Sendable {
    let factory: any MetricsFactory

    func recordRejection(projectID: UUID, reason: String) {
        Counter(
            label: "inlet_ingest_rejected_total",
            dimensions: [("project", projectID.lowercasedString), ("reason", reason)], factory: factory
        ).increment()
    }
}
