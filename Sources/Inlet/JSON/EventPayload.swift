/// An event's payload as it arrived: its JSON text, checked, and its parsed tree only once something needed one.
///
/// Dispatch stores the text as it came (PostgreSQL parses it again into `jsonb`) and matches filters on the text
/// (``CompiledFilterSet/matches(json:headers:limits:budget:)``), so a source without a schema never builds the
/// payload's tree: for a 1 MiB payload of many small values the tree cost more CPU than everything else the
/// request did.
public struct EventPayload: Sendable {
    /// The payload's JSON text: one valid JSON value, perhaps with white space around it.
    public let text: [UInt8]
    /// The parsed payload, when it is at hand already.
    public let parsed: JSONValue?

    /// A payload whose text has been checked already (``JSONValue/validate(_:limits:)``,
    /// ``JSONValue/parsingObject(_:deferring:limits:)``), with its tree if that produced one.
    public init(validatedText text: [UInt8], parsed: JSONValue? = nil) {
        self.text = text
        self.parsed = parsed
    }

    /// A payload given as a tree; its text is the tree serialized.
    public init(_ value: JSONValue) {
        self.text = value.serializedBytes()
        self.parsed = value
    }

    /// The parsed payload: ``parsed``, or the text parsed now, the parse drawing on `budget`
    /// (``JSONValue/init(parsing:limits:budget:)``). Throws ``JSONParseError`` or ``WorkBudgetError``.
    public func value(limits: JSONParseLimits = .default, budget: WorkBudget) throws -> JSONValue {
        if let parsed { return parsed }
        return try JSONValue(parsing: text, limits: limits, budget: budget)
    }

    /// The parsed payload: ``parsed``, or the text parsed now.
    public func value(limits: JSONParseLimits = .default) throws(JSONParseError) -> JSONValue {
        if let parsed { return parsed }
        return try JSONValue(parsing: text, limits: limits)
    }
}

extension EventPayload {
    /// Whether a string or key of the payload holds U+0000, which PostgreSQL's `jsonb` cannot store. Read off the
    /// text: JSON text cannot hold a raw NUL (control characters must be escaped), so it is a `\u0000` escape
    /// whose backslash is not itself escaped.
    public var containsNULCharacter: Bool {
        if let parsed { return parsed.containsNULCharacter }
        let escape = Array(#"\u0000"#.utf8)
        var index = 0
        while index + escape.count <= text.count {
            guard text[index] == UInt8(ascii: "\\") else {
                index += 1
                continue
            }
            if text[index..<(index + escape.count)].elementsEqual(escape) { return true }
            index += 2  // an escape: its second character cannot start another one
        }
        return false
    }
}
