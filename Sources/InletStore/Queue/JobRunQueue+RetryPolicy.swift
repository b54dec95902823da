import Foundation
import Inlet
import Postgres

/// What a worker needs to decide what follows a failed attempt: the job's retry policy and when the run's first
/// attempt started (its age counts from there).
public struct RetryContext: Sendable {
    public let policy: RetryPolicy
    /// `nil` while the first attempt is the one ending (it is not recorded yet).
    public let firstAttemptStartedAt: Date?

    public init(policy: RetryPolicy, firstAttemptStartedAt: Date?) {
        self.policy = policy
        self.firstAttemptStartedAt = firstAttemptStartedAt
    }
}

extension JobRunQueue {
    /// The retry context of a run whose attempt failed: one primary-key lookup, made only for failures (the claim
    /// stays as it is). A job without a policy, or one whose stored policy no longer parses, gets
    /// ``RetryPolicy/standard``.
    public func retryContext(for lease: RunLease, jobID: UUID) async throws -> RetryContext {
        let rows = try await pool.query(
            Self.retryContextSQL, [lease.projectID, jobID, lease.runID])
        guard let row = rows.first else { return RetryContext(policy: .standard, firstAttemptStartedAt: nil) }
        var policy = RetryPolicy.standard
        if let stored = try row.decode(PostgresJSON?.self, at: 0),
            let json = try? JSONValue(parsing: stored.bytes), let parsed = try? RetryPolicy(json: json)
        {
            policy = parsed
        }
        return RetryContext(policy: policy, firstAttemptStartedAt: try row.decode(Date?.self, at: 1))
    }

    static let retryContextSQL = """
        SELECT j.retry_policy,
               (SELECT a.started_at FROM run_attempts AS a
                WHERE a.project_id = $1 AND a.run_id = $3 AND a.attempt = 1)
        FROM jobs AS j
        WHERE j.project_id = $1 AND j.id = $2
        """
}
