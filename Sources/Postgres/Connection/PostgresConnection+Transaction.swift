/// Transaction isolation levels for ``PostgresConnection/withTransaction(isolation:_:)``.
public enum PostgresIsolationLevel: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

extension PostgresConnection {
    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    @discardableResult
    public func withTransaction<Result: Sendable>(
        isolation: PostgresIsolationLevel? = nil, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let begin = isolation.map { "BEGIN ISOLATION LEVEL \($0.rawValue)" } ?? "BEGIN"
        try await execute(script: begin)
        let result: Result
        do {
            result = try await body(self)
        } catch {
            // A broken connection cannot roll back; the server discards the transaction with the connection.
            try? await execute(script: "ROLLBACK")
            throw error
        }
        try await execute(script: "COMMIT")
        return result
    }
}

extension PostgresPool {
    /// Borrows a connection and runs `body` in a transaction on it.
    @discardableResult
    public func withTransaction<Result: Sendable>(
        isolation: PostgresIsolationLevel? = nil, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await withConnection { connection in
            try await connection.withTransaction(isolation: isolation, body)
        }
    }
}
