/// One problem with a client's input: where (a JSON pointer into the request body or into a nested document)
/// and what. The API returns these as the `details` of a 422.
public struct ValidationIssue: Sendable, Equatable, Codable {
    public var path: String
    public var message: String
    /// The rule that failed, when there is a name for it (e.g. a JSON Schema keyword).
    public var keyword: String?

    public init(path: String, message: String, keyword: String? = nil) {
        self.path = path
        self.message = message
        self.keyword = keyword
    }
}

/// Input that is well-formed but invalid. Its messages are written for the client that sent the input.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var issues: [ValidationIssue]

    public init(_ message: String, issues: [ValidationIssue] = []) {
        self.message = message
        self.issues = issues
    }

    /// A single issue at `path`.
    public init(path: String, _ message: String) {
        self.init(message, issues: [ValidationIssue(path: path, message: message)])
    }

    public var description: String {
        ([message] + issues.map { "\($0.path): \($0.message)" }).joined(separator: "; ")
    }
}
