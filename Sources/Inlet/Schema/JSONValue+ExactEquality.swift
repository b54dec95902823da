extension JSONValue {
    /// JSON equality with strings compared by code points, as JSON Schema's `const`, `enum` and `uniqueItems`
    /// require. (Swift's `String ==` treats canonically equivalent strings — `"é"` and `"e\u{301}"` — as
    /// equal.)
    func isExactlyEqual(to other: JSONValue) -> Bool {
        var work = 0
        return isExactlyEqual(to: other, work: &work)
    }

    /// ``isExactlyEqual(to:)``, adding to `work` the steps it took: one per value visited, one per 16 bytes of
    /// strings and number texts compared. Objects are compared through their key index, so the time is linear
    /// in the smaller value.
    func isExactlyEqual(to other: JSONValue, work: inout Int) -> Bool {
        work &+= 1
        switch (self, other) {
        case (.null, .null): return true
        case (.bool(let lhs), .bool(let rhs)): return lhs == rhs
        case (.number(let lhs), .number(let rhs)):
            work &+= (lhs.text.utf8.count &+ rhs.text.utf8.count) >> 4
            return lhs == rhs
        case (.string(let lhs), .string(let rhs)):
            guard lhs.utf8.count == rhs.utf8.count else { return false }
            work &+= lhs.utf8.count >> 4
            return utf8Equal(lhs, rhs)
        case (.array(let lhs), .array(let rhs)):
            guard lhs.count == rhs.count else { return false }
            for (left, right) in zip(lhs, rhs) where !left.isExactlyEqual(to: right, work: &work) { return false }
            return true
        case (.object(let lhs), .object(let rhs)):
            guard lhs.count == rhs.count else { return false }
            // Keys are matched by code points (``JSONObject`` looks keys up by their UTF-8 bytes).
            for (key, value) in lhs {
                work &+= 1 &+ key.utf8.count >> 4
                guard let other = rhs[key], value.isExactlyEqual(to: other, work: &work) else { return false }
            }
            return true
        default:
            return false
        }
    }

    /// The steps hashing this value takes, counted as ``isExactlyEqual(to:work:)`` counts them.
    var hashingWork: Int {
        switch self {
        case .null, .bool: return 1
        case .number(let number): return 1 &+ number.text.utf8.count >> 4
        case .string(let string): return 1 &+ string.utf8.count >> 4
        case .array(let elements): return elements.reduce(1) { $0 &+ $1.hashingWork }
        case .object(let object):
            var work = 1
            for (key, value) in object { work &+= 1 &+ key.utf8.count >> 4 &+ value.hashingWork }
            return work
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
