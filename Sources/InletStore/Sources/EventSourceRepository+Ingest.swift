import Foundation
import Inlet
import Postgres

/// What inbound webhook verification needs about a source, found by its id alone (the ingest URL carries no
/// project and no token).
public struct IngestSource: Sendable {
    public let source: EventSource
    /// The current secret, then the previous one while its grace period lasts.
    public let secrets: [SigningSecret]
}

extension EventSourceRepository {
    /// Loads a source and its unexpired secrets for `POST /v1/ingest/{source_id}`.
    public static func ingestSource(id: UUID, pool: PostgresPool, secrets box: SecretBox) async throws -> IngestSource {
        let rows = try await pool.query(
            """
            SELECT \(columns), signing_secret,
                   CASE WHEN previous_secret_expires_at > now() THEN previous_signing_secret END
            FROM event_sources WHERE id = $1
            """, [id])
        guard let row = rows.first else { throw StoreError.notFound("event source") }
        let source = try Self.source(row)
        var secrets: [SigningSecret] = []
        for column in [Self.columnCount, Self.columnCount + 1] {
            guard let sealed = try row.decode(Data?.self, at: column) else { continue }
            secrets.append(try box.openSigningSecret(sealed, context: secretContext(source.id)))
        }
        return IngestSource(source: source, secrets: secrets)
    }
}
