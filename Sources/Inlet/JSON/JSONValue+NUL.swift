extension JSONValue {
    /// Whether a string or key anywhere in the value holds U+0000, which PostgreSQL's `jsonb` cannot store.
    public var containsNULCharacter: Bool {
        switch self {
        case .null, .bool, .number: false
        case .string(let text): text.utf8.contains(0)
        case .array(let items): items.contains { $0.containsNULCharacter }
        case .object(let object):
            object.keys.contains { $0.utf8.contains(0) } || object.values.contains { $0.containsNULCharacter }
        }
    }
}
