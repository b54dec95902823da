import Foundation
import Inlet
import Postgres

/// Moves the `config.headers` that versions before migration 0002 stored in plain text into `sealed_headers`.
///
/// SQL cannot seal, so `inlet-server migrate` runs this right after the SQL migrations, every time: it finds the
/// `http` jobs whose config still holds a `headers` member and rewrites each one (config without the member,
/// names and sealed values in their columns). Rows already converted are not touched, so a second run does
/// nothing. Plain headers win over sealed ones: a row with both was last written by an older server during a
/// rolling upgrade. Until a row is converted, the worker still delivers its plain headers and the API shows only
/// their names.
public enum JobHeaderSealing {
    /// Seals every job's plain headers, `batchSize` jobs per transaction; returns how many jobs were rewritten.
    @discardableResult
    public static func sealPlainHeaders(pool: PostgresPool, secrets: SecretBox, batchSize: Int = 500) async throws
        -> Int
    {
        var converted = 0
        while true {
            let count = try await pool.withTransaction { connection in
                let rows = try await connection.query(
                    """
                    SELECT project_id, id, config->'headers' FROM jobs
                    WHERE kind = 'http' AND config ? 'headers'
                    ORDER BY project_id, id LIMIT $1 FOR UPDATE
                    """, [batchSize])
                for row in rows {
                    let projectID = try row.decode(UUID.self, at: 0)
                    let id = try row.decode(UUID.self, at: 1)
                    let headers = try Self.headers(try row.decodeJSON(at: 2), jobID: id)
                    let sealed = headers.isEmpty ? nil : Data(try secrets.seal(headers, jobID: id))
                    try await connection.query(
                        """
                        UPDATE jobs SET config = config - 'headers', header_names = $3, sealed_headers = $4
                        WHERE project_id = $1 AND id = $2
                        """, [projectID, id, headers.names, sealed])
                }
                return rows.count
            }
            converted += count
            if count < batchSize { return converted }
        }
    }

    /// The headers of a stored config member, which the API validated when it was written.
    static func headers(_ value: JSONValue, jobID: UUID) throws -> HTTPJobHeaders {
        if value == .null { return HTTPJobHeaders() }
        guard let object = value.objectValue else {
            throw MigrationError(message: "job \(jobID.lowercasedString): config.headers is not an object")
        }
        var fields: [(name: String, value: String)] = []
        for (name, member) in object {
            guard let text = member.stringValue else {
                throw MigrationError(
                    message: "job \(jobID.lowercasedString): config.headers member \(name) is not a string")
            }
            fields.append((name, text))
        }
        return HTTPJobHeaders(fields)
    }
}
