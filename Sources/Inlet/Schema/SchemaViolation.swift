/// One way an instance fails its schema, as reported in a 422's `details`.
public struct SchemaViolation: Sendable, Hashable, CustomStringConvertible {
    /// JSON pointer into the instance (`/items/0/price`); `""` is the instance itself.
    public let path: String
    /// The keyword that failed (`required`, `type`, `additionalProperties`, …).
    public let keyword: String
    /// JSON pointer to the failing keyword in the schema (`/properties/items/items/required`); keywords in a
    /// resource the schema refers to by URI are given as `uri#pointer`.
    public let schemaPath: String
    /// A sentence for humans: `missing required property "amount"`, `expected integer, found string`.
    public let message: String

    public init(path: String, keyword: String, schemaPath: String, message: String) {
        self.path = path
        self.keyword = keyword
        self.schemaPath = schemaPath
        self.message = message
    }

    public var description: String { "\(path.isEmpty ? "(root)" : path): \(message) [\(schemaPath)]" }
}
