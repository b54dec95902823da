import Inlet
import Postgres

extension JSONValue {
    /// The value as a `jsonb` parameter.
    var postgres: PostgresJSON { PostgresJSON(bytes: serializedBytes()) }
}

extension PostgresRow {
    /// Decodes a `json`/`jsonb` column into a ``JSONValue``.
    func decodeJSON(at column: Int) throws -> JSONValue {
        let json = try decode(PostgresJSON.self, at: column)
        return try JSONValue(parsing: json.bytes, limits: JSONParseLimits(maxDepth: 512, rejectDuplicateKeys: false))
    }
}

extension PostgresRow {
    /// Decodes a nullable `json`/`jsonb` column; `nil` for SQL NULL.
    func decodeOptionalJSON(at column: Int) throws -> JSONValue? {
        guard let json = try decode(PostgresJSON?.self, at: column) else { return nil }
        return try JSONValue(parsing: json.bytes, limits: JSONParseLimits(maxDepth: 512, rejectDuplicateKeys: false))
    }
}
