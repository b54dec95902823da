import Foundation
import Inlet
import Metrics

/// Ingest requests refused by signature verification, as `inlet_ingest_rejected_total{reason}` (with `project`
/// too when `INLET_METRICS_PROJECT_LABELS` is on).
///
/// Accepted and duplicate ingests are dispatch outcomes (`inlet_dispatch_events_total{via="ingest"}`). The reason
/// is the internal ``SignatureRejection`` (ten values, or `configuration` for a source whose stored settings
/// cannot verify anything): operators see it here and in the log, the sender only ever sees the same bare 401.
struct IngestMetrics: Sendable {
    let factory: any MetricsFactory
    let projectLabels: Bool

    func recordRejection(projectID: UUID, reason: String) {
        let project: [(String, String)] = projectLabels ? [("project", projectID.lowercasedString)] : []
        Counter(label: "inlet_ingest_rejected_total", dimensions: project + [("reason", reason)], factory: factory)
            .increment()
    }
}
