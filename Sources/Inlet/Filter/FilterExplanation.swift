/// Why a pattern did or did not match an event, for users debugging a subscription's filter.
public struct FilterExplanation: Sendable, Hashable, Encodable {
    /// What failed first, in pattern order.
    public struct Failure: Sendable, Hashable, Encodable {
        /// The event path, dotted (`detail.amount`), or `$headers.<name>` for a header.
        public var path: String
        /// JSON pointer of the failing leaf within the pattern (`/detail/amount`).
        public var patternPath: String
        /// The operator that failed: `equals`, `prefix`, `numeric`, …, `any-of` for a leaf with several
        /// alternatives, `exists`, or `same-array-element` when conditions hold only in different elements.
        public var `operator`: String
        /// The operator's argument (or the whole leaf array for `any-of`).
        public var expected: JSONValue
        /// The event's value(s) at the path; `nil` when the path is missing.
        public var actual: JSONValue?
        /// A one-line human-readable summary.
        public var reason: String

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(path, forKey: .path)
            try container.encode(patternPath, forKey: .patternPath)
            try container.encode(`operator`, forKey: .operator)
            try container.encode(EncodableJSON(expected), forKey: .expected)
            try container.encodeIfPresent(actual.map(EncodableJSON.init), forKey: .actual)
            try container.encode(reason, forKey: .reason)
        }

        private enum CodingKeys: String, CodingKey {
            case path, patternPath, `operator`, expected, actual, reason
        }
    }

    public var matched: Bool
    /// For a pattern with `$or`, the failure of its first alternative; `nil` when matched.
    public var failure: Failure?

    public init(matched: Bool, failure: Failure?) {
        self.matched = matched
        self.failure = failure
    }
}

/// Encodes a ``JSONValue`` through `Encoder` (numbers as `Double`, the closest `Encoder` offers).
private struct EncodableJSON: Encodable {
    let value: JSONValue
    init(_ value: JSONValue) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        switch value {
        case .object(let object):
            var container = encoder.container(keyedBy: Key.self)
            for (key, member) in object { try container.encode(EncodableJSON(member), forKey: Key(key)) }
        case .array(let items):
            var container = encoder.unkeyedContainer()
            for item in items { try container.encode(EncodableJSON(item)) }
        case .string(let text):
            var container = encoder.singleValueContainer()
            try container.encode(text)
        case .number(let number):
            var container = encoder.singleValueContainer()
            if let integer = number.int64 { try container.encode(integer) } else { try container.encode(number.double) }
        case .bool(let flag):
            var container = encoder.singleValueContainer()
            try container.encode(flag)
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
