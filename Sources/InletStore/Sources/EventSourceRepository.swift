import Foundation
import Inlet
import Postgres

/// What a client gives to create an event source (validated by the API layer).
public struct EventSourceDraft: Sendable {
    public var name: String
    public var description: String?
    public var schema: JSONValue
    public var enabled: Bool
    public var signature: SignatureSettings
    /// A secret the client chose; generated when `nil` and the scheme needs one.
    public var signingSecret: SigningSecret?
    public var deliveryDelayMilliseconds: Int64?

    public init(
        name: String, description: String? = nil, schema: JSONValue = [:], enabled: Bool = true,
        signature: SignatureSettings = SignatureSettings(), signingSecret: SigningSecret? = nil
    ) {
        self.name = name
        self.description = description
        self.schema = schema
        self.enabled = enabled
        self.signature = signature
        self.signingSecret = signingSecret
    }
}

/// A source's signature verification settings, as stored.
public struct SignatureSettings: Sendable, Equatable {
    public var scheme: SignatureScheme?
    public var header: String?
    public var algorithm: SignatureAlgorithm
    public var encoding: SignatureEncoding
    public var idempotencyHeader: String?

    public init(
        scheme: SignatureScheme? = nil, header: String? = nil, algorithm: SignatureAlgorithm = .hmacSHA256,
        encoding: SignatureEncoding = .hex, idempotencyHeader: String? = nil
    ) {
        self.scheme = scheme
        self.header = header
        self.algorithm = algorithm
        self.encoding = encoding
        self.idempotencyHeader = idempotencyHeader
    }

    /// Whether inbound webhooks need a signing secret under these settings.
    public var needsSecret: Bool { scheme != nil && scheme != SignatureScheme.none }
}

/// A PATCH of an event source: absent fields keep their values.
public struct EventSourcePatch: Sendable {
    public var name: Patch<String> = .keep
    public var description: Patch<String?> = .keep
    public var schema: Patch<JSONValue> = .keep
    public var enabled: Patch<Bool> = .keep
    public var signatureScheme: Patch<SignatureScheme?> = .keep
    public var signatureHeader: Patch<String?> = .keep
    public var signatureAlgorithm: Patch<SignatureAlgorithm> = .keep
    public var signatureEncoding: Patch<SignatureEncoding> = .keep
    public var idempotencyHeader: Patch<String?> = .keep
    public var signingSecret: Patch<SigningSecret> = .keep
    public var deliveryDelayMilliseconds: Patch<Int64?> = .keep

    public init() {}
}

/// An event source together with a secret to show the client once (on create, rotate, or when first needed).
public struct EventSourceWithSecret: Sendable {
    public var source: EventSource
    public var revealedSecret: SigningSecret?
}

/// Event sources of one project. A value of this type cannot read or change another project's rows.
public struct EventSourceRepository: Sendable {
    public let projectID: UUID
    let pool: PostgresPool
    let secrets: SecretBox

    public init(projectID: UUID, pool: PostgresPool, secrets: SecretBox) {
        self.projectID = projectID
        self.pool = pool
        self.secrets = secrets
    }

    static let columns = """
        id, project_id, name, description, schema, enabled, signature_scheme, signature_header, \
        signature_algorithm, signature_encoding, idempotency_header, version, created_at, updated_at, \
        delivery_delay_ms
        """
    /// How many ``columns`` there are: statements that select more read them from this index on.
    static let columnCount = 15
    static let conflicts = [
        "event_sources_project_id_name_key": "an event source with this name already exists in the project",
        "event_sources_project_id_fkey": "project not found",
    ]

    static func secretContext(_ id: UUID) -> String { "source:" + id.lowercasedString }

    public func create(_ draft: EventSourceDraft) async throws -> EventSourceWithSecret {
        let id = UUID.v7()
        var secret = draft.signingSecret
        if secret == nil, draft.signature.needsSecret, let scheme = draft.signature.scheme {
            secret = SigningSecret.generate(for: scheme)
        }
        let sealed = try secret.map { Data(try secrets.seal($0, context: Self.secretContext(id))) }
        let signature = draft.signature
        let rows = try await translatingErrors(conflicts: Self.conflicts) {
            try await pool.query(
                """
                INSERT INTO event_sources (id, project_id, name, description, schema, enabled, signature_scheme,
                    signature_header, signature_algorithm, signature_encoding, idempotency_header, signing_secret,
                    delivery_delay_ms)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                RETURNING \(Self.columns)
                """,
                [
                    id, projectID, draft.name, draft.description, draft.schema.postgres, draft.enabled,
                    signature.scheme?.rawValue, signature.header, signature.algorithm.rawValue,
                    signature.encoding.rawValue, signature.idempotencyHeader, sealed, draft.deliveryDelayMilliseconds,
                ])
        }
        return EventSourceWithSecret(source: try Self.source(rows[0]), revealedSecret: secret)
    }

    public func get(_ id: UUID) async throws -> EventSource {
        let rows = try await pool.query(
            "SELECT \(Self.columns) FROM event_sources WHERE project_id = $1 AND id = $2", [projectID, id])
        guard let row = rows.first else { throw StoreError.notFound("event source") }
        return try Self.source(row)
    }

    /// Finds a source by name or, when no source has that name, by id.
    public func find(reference: String) async throws -> EventSource {
        try await Self.findSource(pool: pool, projectID: projectID, reference: .nameOrID(reference))
    }

    static func findSource(pool: PostgresPool, projectID: UUID, reference: SourceReference) async throws
        -> EventSource
    {
        let rows: PostgresRows
        switch reference {
        case .nameOrID(let text):
            rows = try await pool.query(
                """
                SELECT \(Self.columns) FROM event_sources
                WHERE project_id = $1 AND (name = $2 OR id = $3) ORDER BY (name = $2) DESC LIMIT 1
                """, [projectID, text, UUID(uuidString: text)])
        case .id(let id):
            rows = try await pool.query(
                "SELECT \(Self.columns) FROM event_sources WHERE project_id = $1 AND id = $2", [projectID, id])
        }
        guard let row = rows.first else { throw StoreError.notFound("event source") }
        return try Self.source(row)
    }

    /// The source's current `version` (every change to it, its subscriptions or their jobs bumps it); `nil` when
    /// the project has no such source any more.
    static func version(pool: PostgresPool, projectID: UUID, sourceID: UUID) async throws -> Int64? {
        let rows = try await pool.query(
            "SELECT version FROM event_sources WHERE project_id = $1 AND id = $2", [projectID, sourceID])
        return try rows.first?.decode(Int64.self, at: 0)
    }

    /// The project that owns source `id`, whichever it is: for admin requests that name a source but no project.
    public static func projectID(ofSource id: UUID, pool: PostgresPool) async throws -> UUID {
        let rows = try await pool.query("SELECT project_id FROM event_sources WHERE id = $1", [id])
        guard let row = rows.first else { throw StoreError.notFound("event source") }
        return try row.decode(UUID.self, at: 0)
    }

    public func list(_ page: Page) async throws -> PageResult<EventSource> {
        let rows = try await pool.query(
            """
            SELECT \(Self.columns) FROM event_sources
            WHERE project_id = $1 AND ($2::uuid IS NULL OR id < $2) ORDER BY id DESC LIMIT $3
            """, [projectID, page.after, page.limit + 1])
        return PageResult(fetched: try rows.map(Self.source), limit: page.limit)
    }

    /// Applies a merge patch. `normalize` sees the merged source and the new secret, if the patch sets one; it
    /// returns the source to store (e.g. with a scheme's fixed header filled in) or throws to refuse the change,
    /// and then nothing is written. A scheme that needs a secret gets a generated one when none is stored.
    public func update(
        _ id: UUID, _ patch: EventSourcePatch,
        normalize: @Sendable (EventSource, _ newSecret: SigningSecret?) throws -> EventSource = { source, _ in source }
    ) async throws -> EventSourceWithSecret {
        try await translatingErrors(conflicts: Self.conflicts) {
            try await pool.withTransaction { connection in
                let current = try await connection.query(
                    "SELECT \(Self.columns), signing_secret IS NOT NULL FROM event_sources WHERE project_id = $1 AND id = $2 FOR UPDATE",
                    [projectID, id])
                guard let row = current.first else { throw StoreError.notFound("event source") }
                var source = try Self.source(row)
                let hadSecret = try row.decode(Bool.self, at: Self.columnCount)
                source.name = patch.name.applied(to: source.name)
                source.description = patch.description.applied(to: source.description)
                source.schema = patch.schema.applied(to: source.schema)
                source.enabled = patch.enabled.applied(to: source.enabled)
                source.signatureScheme = patch.signatureScheme.applied(to: source.signatureScheme)
                source.signatureHeader = patch.signatureHeader.applied(to: source.signatureHeader)
                source.signatureAlgorithm = patch.signatureAlgorithm.applied(to: source.signatureAlgorithm)
                source.signatureEncoding = patch.signatureEncoding.applied(to: source.signatureEncoding)
                source.idempotencyHeader = patch.idempotencyHeader.applied(to: source.idempotencyHeader)
                source.deliveryDelayMilliseconds = patch.deliveryDelayMilliseconds.applied(
                    to: source.deliveryDelayMilliseconds)
                var revealed: SigningSecret?
                if case .set(let secret) = patch.signingSecret { revealed = secret }
                source = try normalize(source, revealed)
                let settings = SignatureSettings(
                    scheme: source.signatureScheme, header: source.signatureHeader,
                    algorithm: source.signatureAlgorithm, encoding: source.signatureEncoding)
                if revealed == nil, !hadSecret, settings.needsSecret, let scheme = settings.scheme {
                    revealed = SigningSecret.generate(for: scheme)
                }
                let sealed = try revealed.map { Data(try secrets.seal($0, context: Self.secretContext(id))) }
                let rows = try await connection.query(
                    """
                    UPDATE event_sources SET name = $3, description = $4, schema = $5, enabled = $6,
                        signature_scheme = $7, signature_header = $8, signature_algorithm = $9,
                        signature_encoding = $10, idempotency_header = $11,
                        signing_secret = coalesce($12, signing_secret),
                        previous_signing_secret = CASE WHEN $12 IS NULL THEN previous_signing_secret END,
                        previous_secret_expires_at = CASE WHEN $12 IS NULL THEN previous_secret_expires_at END,
                        delivery_delay_ms = $13, version = version + 1, updated_at = now()
                    WHERE project_id = $1 AND id = $2 RETURNING \(Self.columns)
                    """,
                    [
                        projectID, id, source.name, source.description, source.schema.postgres, source.enabled,
                        source.signatureScheme?.rawValue, source.signatureHeader, source.signatureAlgorithm.rawValue,
                        source.signatureEncoding.rawValue, source.idempotencyHeader, sealed,
                        source.deliveryDelayMilliseconds,
                    ])
                return EventSourceWithSecret(source: try Self.source(rows[0]), revealedSecret: revealed)
            }
        }
    }

    /// Replaces the signing secret; the previous one stays valid for `gracePeriod` seconds.
    public func rotateSecret(_ id: UUID, newSecret: SigningSecret?, gracePeriod: Int) async throws
        -> EventSourceWithSecret
    {
        let source = try await get(id)
        guard let scheme = source.signatureScheme, scheme != SignatureScheme.none else {
            throw StoreError(.conflict, "the event source has no signature scheme; set signature_scheme first")
        }
        let secret = newSecret ?? SigningSecret.generate(for: scheme)
        let sealed = Data(try secrets.seal(secret, context: Self.secretContext(id)))
        let rows = try await pool.query(
            """
            UPDATE event_sources SET previous_signing_secret = signing_secret,
                previous_secret_expires_at = CASE WHEN signing_secret IS NULL THEN NULL
                    ELSE now() + make_interval(secs => $4) END,
                signing_secret = $3, version = version + 1, updated_at = now()
            WHERE project_id = $1 AND id = $2 RETURNING \(Self.columns)
            """, [projectID, id, sealed, Double(gracePeriod)])
        guard let row = rows.first else { throw StoreError.notFound("event source") }
        return EventSourceWithSecret(source: try Self.source(row), revealedSecret: secret)
    }

    public func delete(_ id: UUID) async throws {
        let rows = try await pool.query("DELETE FROM event_sources WHERE project_id = $1 AND id = $2", [projectID, id])
        guard rows.affectedRows == 1 else { throw StoreError.notFound("event source") }
    }

    static func source(_ row: PostgresRow) throws -> EventSource {
        EventSource(
            id: try row.decode(UUID.self, at: 0), projectID: try row.decode(UUID.self, at: 1),
            name: try row.decode(String.self, at: 2), description: try row.decode(String?.self, at: 3),
            schema: try row.decodeJSON(at: 4), enabled: try row.decode(Bool.self, at: 5),
            signatureScheme: try row.decode(String?.self, at: 6).flatMap(SignatureScheme.init(rawValue:)),
            signatureHeader: try row.decode(String?.self, at: 7),
            signatureAlgorithm: SignatureAlgorithm(rawValue: try row.decode(String.self, at: 8)) ?? .hmacSHA256,
            signatureEncoding: SignatureEncoding(rawValue: try row.decode(String.self, at: 9)) ?? .hex,
            idempotencyHeader: try row.decode(String?.self, at: 10), version: try row.decode(Int64.self, at: 11),
            createdAt: try row.decode(Date.self, at: 12), updatedAt: try row.decode(Date.self, at: 13),
            deliveryDelayMilliseconds: try row.decode(Int64?.self, at: 14))
    }
}
