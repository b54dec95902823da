import Foundation
import Inlet

/// A circuit that a completion batch opened, re-opened or closed.
public struct CircuitChange: Sendable, Hashable {
    public let projectID: UUID
    public let jobID: UUID
    public let from: CircuitState
    public let to: CircuitState
    public let consecutiveFailures: Int
    public let lastError: String?
}

/// What ``JobRunQueue/completeBatch(_:workerID:)`` recorded.
public struct CompletedBatch: Sendable {
    public var ended: [EndedAttempt] = []
    public var circuitChanges: [CircuitChange] = []
    /// Why the second statement (job slots and failure counts) failed, when it did. The attempts in ``ended`` are
    /// recorded all the same; their jobs' slots stay pending until ``JobRunQueue/returnPendingSlots(limit:)``.
    public var jobStateError: (any Error)?
    public init() {}
}

extension JobRunQueue {
    /// CTEs that give back the job slots of runs leaving `running` without a completion (`endedRuns` names a CTE
    /// with `project_id`, `job_id` and `holds_slot`), and, when `probeLost`, put a half-open circuit back to open
    /// with its probe due at once (the probe may have been among them).
    static func freeSlotsSQL(endedRuns: String, probeLost: Bool) -> String {
        """
        freed_runs AS MATERIALIZED (
            SELECT project_id, job_id, count(*) FILTER (WHERE holds_slot)::int AS slots
            FROM \(endedRuns)
            GROUP BY project_id, job_id
        ),
        freed_locked AS MATERIALIZED (
            SELECT s.project_id, s.job_id, f.slots, s.breaker_state
            FROM job_claim_state AS s
            JOIN freed_runs AS f ON f.project_id = s.project_id AND f.job_id = s.job_id
            WHERE f.slots > 0 OR (\(probeLost) AND s.breaker_state = 'half_open')
            ORDER BY s.project_id, s.job_id
            FOR UPDATE OF s
        ),
        freed AS (
            UPDATE job_claim_state AS s
            SET running = greatest(0, s.running - f.slots),
                breaker_state = CASE WHEN \(probeLost) AND f.breaker_state = 'half_open' THEN 'open'
                                     ELSE s.breaker_state END,
                probe_at = CASE WHEN \(probeLost) AND f.breaker_state = 'half_open' THEN now() ELSE s.probe_at END,
                updated_at = now()
            FROM freed_locked AS f
            WHERE s.project_id = f.project_id AND s.job_id = f.job_id
        )
        """
    }
}
