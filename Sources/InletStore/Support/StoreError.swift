import Inlet
import Postgres

/// A repository's answer that the caller should turn into a 4xx: the resource is missing (or belongs to another
/// project, which looks the same), conflicts with another, or is invalid.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        case notFound
        case conflict
        case invalid
    }

    public let code: Code
    public let message: String
    public let issues: [ValidationIssue]

    public init(_ code: Code, _ message: String, issues: [ValidationIssue] = []) {
        self.code = code
        self.message = message
        self.issues = issues
    }

    public static func notFound(_ what: String) -> StoreError { StoreError(.notFound, "\(what) not found") }

    public var description: String { "\(code): \(message)" }
}

extension PostgresError {
    /// Translates integrity violations into ``StoreError``s with messages for clients; `nil` for other errors.
    /// `conflicts` maps constraint names to messages.
    func storeError(conflicts: [String: String] = [:]) -> StoreError? {
        switch code {
        case .uniqueViolation:
            return StoreError(.conflict, constraint.flatMap { conflicts[$0] } ?? "the resource already exists")
        case .foreignKeyViolation:
            return StoreError(.conflict, constraint.flatMap { conflicts[$0] } ?? "the resource is referenced elsewhere")
        case .invalidInput:
            return StoreError(
                .invalid,
                "a value cannot be stored: strings must not contain \\u0000 and numbers must be within "
                    + "PostgreSQL's numeric range")
        default:
            return nil
        }
    }
}

/// Runs `body`, translating integrity violations into ``StoreError``s.
func translatingErrors<T>(conflicts: [String: String] = [:], _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as PostgresError {
        throw error.storeError(conflicts: conflicts) ?? error
    }
}
