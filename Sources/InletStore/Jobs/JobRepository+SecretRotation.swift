import Foundation
import Inlet
import Postgres

extension JobRepository {
    /// The most a replaced secret may keep signing: 30 days.
    public static let maximumGracePeriodSeconds = 30 * 86_400

    /// Replaces the job's signing secret with a fresh one, returned only here. For `gracePeriod` seconds deliveries
    /// carry signatures under both the new and the replaced secret; a secret replaced earlier is dropped at once.
    public func rotateSecret(_ id: UUID, gracePeriod: Int) async throws -> (job: Job, signingSecret: SigningSecret) {
        let newSecret = SigningSecret.generate(for: .standardWebhooks)
        return try await pool.withTransaction { connection in
            let current = try await connection.query(
                "SELECT signing_secret FROM jobs WHERE project_id = $1 AND id = $2 FOR UPDATE", [projectID, id])
            guard let row = current.first else { throw StoreError.notFound("job") }
            let context = Self.secretContext(id)
            let stored = try secrets.openSigningSecretRotation(try row.decode(Data.self, at: 0), context: context)
            let now = Date()
            let expiresAt = gracePeriod > 0 ? now.addingTimeInterval(Double(gracePeriod)) : nil
            let rotation =
                expiresAt == nil
                ? SigningSecretRotation(current: newSecret)
                : SigningSecretRotation(current: stored.current).rotated(
                    to: newSecret, now: Int64(now.timeIntervalSince1970), gracePeriod: Int64(gracePeriod))
            let sealed = Data(try secrets.seal(rotation, context: context))
            let rows = try await connection.query(
                """
                UPDATE jobs SET signing_secret = $3, previous_secret_expires_at = $4, updated_at = now()
                WHERE project_id = $1 AND id = $2 RETURNING \(Self.columns)
                """, [projectID, id, sealed, expiresAt])
            return (try Self.job(rows[0]), newSecret)
        }
    }

    /// Drops previous secrets whose grace period has ended from up to `limit` jobs of any project (the worker's
    /// retention pass), so a replaced secret is not kept, even sealed, longer than asked. Returns how many.
    public static func pruneExpiredPreviousSecrets(pool: PostgresPool, secrets: SecretBox, limit: Int) async throws
        -> Int
    {
        let rows = try await pool.query(
            """
            SELECT project_id, id, signing_secret FROM jobs
            WHERE previous_secret_expires_at <= now() LIMIT $1
            """, [limit])
        var pruned = 0
        for row in rows {
            let projectID = try row.decode(UUID.self, at: 0)
            let id = try row.decode(UUID.self, at: 1)
            let sealed = try row.decode(Data.self, at: 2)
            let context = secretContext(id)
            let rotation = try secrets.openSigningSecretRotation(sealed, context: context)
            let resealed = Data(try secrets.seal(SigningSecretRotation(current: rotation.current), context: context))
            // Compare-and-swap on the sealed bytes: a rotation in between wins.
            let updated = try await pool.query(
                """
                UPDATE jobs SET signing_secret = $3, previous_secret_expires_at = NULL
                WHERE project_id = $1 AND id = $2 AND signing_secret = $4 AND previous_secret_expires_at <= now()
                """, [projectID, id, resealed, sealed])
            pruned += updated.affectedRows
        }
        return pruned
    }
}
