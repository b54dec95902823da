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
