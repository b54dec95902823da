import Foundation
import Inlet
import InletStore
import InletTestSupport
import Postgres
import Testing

/// The worker's retention pass drops a job's previous signing secret once its grace period is over.
@Suite struct JobSecretPruningTests {
    @Test func anExpiredPreviousSecretIsDroppedAndACurrentOneKept() async throws {
        try await TestDatabase.withScratchDatabase { pool, _ in
            let fixture = try await QueueFixture(pool: pool)
            let job = try await fixture.createJob(kind: "http", config: #"{"url":"http://127.0.0.1:9/x"}"#)
            let repository = JobRepository(projectID: fixture.projectID, pool: pool, secrets: fixture.secretBox)
            let (rotated, newSecret) = try await repository.rotateSecret(job.id, gracePeriod: 3600)
            #expect(rotated.previousSecretExpiresAt != nil)
            func stored() async throws -> SigningSecretRotation {
                let rows = try await pool.query(
                    "SELECT signing_secret FROM jobs WHERE project_id = $1 AND id = $2", [fixture.projectID, job.id])
                return try fixture.secretBox.openSigningSecretRotation(
                    try rows[0].decode(Data.self, at: 0), context: "job:" + job.id.lowercasedString)
            }
            #expect(try await stored().previous == job.secret)
            // Not expired yet: kept.
            #expect(
                try await JobRepository.pruneExpiredPreviousSecrets(pool: pool, secrets: fixture.secretBox, limit: 10)
                    == 0)
            try await pool.query(
                "UPDATE jobs SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1", [job.id])
            #expect(
                try await JobRepository.pruneExpiredPreviousSecrets(pool: pool, secrets: fixture.secretBox, limit: 10)
                    == 1)
            #expect(try await stored() == SigningSecretRotation(current: newSecret))
            #expect(try await repository.get(job.id).previousSecretExpiresAt == nil)
        }
    }
}
