import CLibPQ

/// An error from PostgreSQL or from the driver, with its SQLSTATE mapped once to a ``Code``.
///
/// The description is safe to log (it carries no parameter values) but is not meant for HTTP clients:
/// map ``code`` to a response instead.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; callers branch on this rather than on SQLSTATE strings.
    public enum Code: Sendable, Equatable {
        case uniqueViolation
        case foreignKeyViolation
        case checkViolation
        case notNullViolation
        case invalidInput
        case serializationFailure
        case deadlockDetected
        case queryCancelled
        /// The connection could not be made or was lost (08xxx, server shutdown, broken socket).
        case connectionFailure
        /// No pooled connection became free within the acquire timeout.
        case poolExhausted
        /// The pool is shutting down or has shut down.
        case poolClosed
        case invalidConfiguration
        /// A value could not be decoded into the requested Swift type.
        case decodingFailed
        case other
    }

    public let code: Code
    /// The five-character SQLSTATE, when the server sent one.
    public let sqlState: String?
    public let message: String
    public let detail: String?
    /// The constraint named by the server, for integrity violations (e.g. which unique key).
    public let constraint: String?

    public init(
        code: Code, message: String, sqlState: String? = nil, detail: String? = nil, constraint: String? = nil
    ) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.constraint = constraint
    }

    public var description: String {
        var text = "PostgresError.\(code)"
        if let sqlState { text += " [\(sqlState)]" }
        text += ": \(message)"
        if let constraint { text += " (constraint \(constraint))" }
        return text
    }

    /// Maps a SQLSTATE to a ``Code``: the one place where SQLSTATEs are interpreted.
    public static func code(forSQLState state: String) -> Code {
        switch state {
        case "23505": return .uniqueViolation
        case "23503": return .foreignKeyViolation
        case "23514": return .checkViolation
        case "23502": return .notNullViolation
        case "40001": return .serializationFailure
        case "40P01": return .deadlockDetected
        case "57014": return .queryCancelled
        case "57P01", "57P02", "57P03", "53300": return .connectionFailure
        default:
            if state.hasPrefix("08") { return .connectionFailure }
            if state.hasPrefix("22") { return .invalidInput }
            return .other
        }
    }

    /// Builds an error from a failed result, or from the connection when there is no result.
    static func from(result: OpaquePointer?, connection: OpaquePointer?) -> PostgresError {
        guard let result else {
            return connectionError(connection, fallback: "no result from server")
        }
        func field(_ code: Int32) -> String? {
            guard let pointer = PQresultErrorField(result, code) else { return nil }
            return String(cString: pointer)
        }
        let state = field(Int32(UInt8(ascii: "C")))  // PG_DIAG_SQLSTATE
        let message = field(Int32(UInt8(ascii: "M"))) ?? String(cString: PQresultErrorMessage(result))
        let detail = field(Int32(UInt8(ascii: "D")))
        let constraint = field(Int32(UInt8(ascii: "n")))  // PG_DIAG_CONSTRAINT_NAME
        var code = state.map(Self.code(forSQLState:)) ?? .other
        if state == nil, let connection, PQstatus(connection) != CONNECTION_OK { code = .connectionFailure }
        return PostgresError(
            code: code, message: message.trimmingTrailingNewlines, sqlState: state, detail: detail,
            constraint: constraint)
    }

    static func connectionError(_ connection: OpaquePointer?, fallback: String) -> PostgresError {
        var message = fallback
        if let connection, let text = PQerrorMessage(connection) {
            let string = String(cString: text).trimmingTrailingNewlines
            if !string.isEmpty { message = string }
        }
        return PostgresError(code: .connectionFailure, message: message)
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var copy = self
        while copy.last?.isNewline == true { copy.removeLast() }
        return copy
    }
}
