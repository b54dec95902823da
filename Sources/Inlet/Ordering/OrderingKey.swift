/// Ordering per key: runs of one job with one ordering key start one at a time, in dispatch order.
public enum OrderingKey {
    /// The most bytes (UTF-8) of a key, and of a subscription's key path.
    public static let maximumBytes = 256

    /// Why `key` cannot be an ordering key (1–256 bytes, no U+0000), or `nil` when it can.
    public static func problem(with key: String) -> String? {
        let bytes = key.utf8.count
        if bytes == 0 || bytes > maximumBytes { return "must be 1–\(maximumBytes) bytes" }
        if key.utf8.contains(0) { return "must not contain \\u0000" }
        return nil
    }
}

/// A subscription's `ordering_key_path`: a dotted path into an event's payload (`customer.id`) whose value, a
/// string or a number, is the ordering key of the runs the subscription creates when the dispatch gives none.
///
/// Segments are object member names, as in filter paths; a payload with dotted member names (`{"a.b": 1}`) is
/// read the same way (`a.b` finds it). A value that is absent, `null`, not a string or number, or not a valid
/// key (empty, over 256 bytes) gives no key: the run is not ordered.
public struct OrderingKeyPath: Sendable, Hashable, CustomStringConvertible {
    public let segments: [String]

    public var description: String { segments.joined(separator: ".") }

    /// Parses a path, or throws a message for a 422.
    public init(_ text: String) throws(OrderingKeyPathError) {
        guard !text.isEmpty, text.utf8.count <= OrderingKey.maximumBytes else {
            throw OrderingKeyPathError(message: "must be 1–\(OrderingKey.maximumBytes) bytes")
        }
        guard !text.utf8.contains(0) else { throw OrderingKeyPathError(message: "must not contain \\u0000") }
        let segments = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !segments.contains(where: \.isEmpty) else {
            throw OrderingKeyPathError(message: "must be member names separated by dots, such as customer.id")
        }
        guard !segments[0].hasPrefix("$") else {
            throw OrderingKeyPathError(message: "must be a path into the payload ($headers is not supported)")
        }
        self.segments = segments
    }

    /// The key this path reads from `payload`, if any.
    public func key(in payload: JSONValue) -> String? {
        guard let value = Self.value(at: segments[...], in: payload) else { return nil }
        let key: String
        switch value {
        case .string(let text): key = text
        case .number(let number): key = number.text
        default: return nil
        }
        return OrderingKey.problem(with: key) == nil ? key : nil
    }

    /// The value at `segments`, taking member names with dots in them too (`{"a.b": 1}` is at `a.b`).
    private static func value(at segments: ArraySlice<String>, in value: JSONValue) -> JSONValue? {
        guard let first = segments.first else { return value }
        guard let object = value.objectValue else { return nil }
        var name = first
        var rest = segments.dropFirst()
        while true {
            if let member = object[name], let found = Self.value(at: rest, in: member) { return found }
            guard let next = rest.first else { return nil }
            name += "." + next
            rest = rest.dropFirst()
        }
    }
}

/// Why an `ordering_key_path` was refused.
public struct OrderingKeyPathError: Error, Sendable, Equatable {
    public let message: String
}
