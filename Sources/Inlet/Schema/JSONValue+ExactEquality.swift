extension JSONValue {
    /// JSON equality with strings compared by code points, as JSON Schema's `const`, `enum` and `uniqueItems`
    /// require. (Swift's `String ==` treats canonically equivalent strings — `"é"` and `"e\u{301}"` — as
    /// equal, and so does `JSONValue ==`.)
    func isExactlyEqual(to other: JSONValue) -> Bool {
        switch (self, other) {
        case (.null, .null): return true
        case (.bool(let lhs), .bool(let rhs)): return lhs == rhs
        case (.number(let lhs), .number(let rhs)): return lhs == rhs
        case (.string(let lhs), .string(let rhs)): return lhs.utf8.elementsEqual(rhs.utf8)
        case (.array(let lhs), .array(let rhs)):
            return lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { $0.isExactlyEqual(to: $1) }
        case (.object(let lhs), .object(let rhs)):
            guard lhs.count == rhs.count else { return false }
            for (key, value) in lhs {
                guard let other = rhs.first(where: { $0.key.utf8.elementsEqual(key.utf8) })?.value,
                    value.isExactlyEqual(to: other)
                else { return false }
            }
            return true
        default:
            return false
        }
    }
}

/// A JSON value hashed as usual but compared with ``JSONValue/isExactlyEqual(to:)``, for `uniqueItems`.
/// (Exactly equal values are also `==`, so `JSONValue`'s hash stays consistent.)
struct ExactJSONValue: Hashable {
    let value: JSONValue

    static func == (lhs: ExactJSONValue, rhs: ExactJSONValue) -> Bool { lhs.value.isExactlyEqual(to: rhs.value) }
    func hash(into hasher: inout Hasher) { value.hash(into: &hasher) }
}
