/// Limits that turn abusive JSON into a ``JSONParseError`` instead of a crash or runaway memory use.
public struct JSONParseLimits: Sendable {
    /// Deepest allowed nesting of arrays and objects.
    public var maxDepth: Int
    /// Largest accepted input, in bytes.
    public var maxBytes: Int
    /// Reject objects that name the same key twice (JSON leaves the meaning undefined; Inlet refuses them).
    public var rejectDuplicateKeys: Bool

    public init(maxDepth: Int = 128, maxBytes: Int = 64 << 20, rejectDuplicateKeys: Bool = true) {
        self.maxDepth = maxDepth
        self.maxBytes = maxBytes
        self.rejectDuplicateKeys = rejectDuplicateKeys
    }

    public static let `default` = JSONParseLimits()
}

extension JSONValue {
    /// Parses one JSON text (RFC 8259): any value at top level, surrounding white space allowed.
    public init(parsing bytes: some Collection<UInt8>, limits: JSONParseLimits = .default) throws(JSONParseError) {
        let result: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) in
                var parser = JSONParser(buffer, limits: limits)
                return try parser.parseDocument()
            }
        }
        if let result {
            self = try result.get()
        } else {
            let array = Array(bytes)
            self = try array.withUnsafeBufferPointer { buffer throws(JSONParseError) in
                var parser = JSONParser(buffer, limits: limits)
                return try parser.parseDocument()
            }
        }
    }

    /// Parses one JSON text; when it is an object, its member `deferred` is only checked (as strictly as
    /// parsing would) and left out of the object: the answer gives its text's range in `bytes`, and
    /// its tree when the check could not do without one. For a request whose one large member is stored as it
    /// came and perhaps never needs a tree (an event payload).
    public static func parsingObject(
        _ bytes: UnsafeRawBufferPointer, deferring deferred: String, limits: JSONParseLimits = .default
    ) throws(JSONParseError) -> (object: JSONValue, deferred: (range: Range<Int>, value: JSONValue?)?) {
        let buffer = bytes.bindMemory(to: UInt8.self)
        var parser = JSONParser(buffer, limits: limits)
        parser.deferredKey = deferred
        let value = try parser.parseDocument()
        return (value, parser.deferredMember)
    }

    /// Parses a document whose objects at `depth` (1 is the top level) have a member `deferred` that is checked but
    /// not parsed (a batch's event payloads: `{"events": [{"payload": …}]}` defers at depth 3). Each such member's
    /// value is replaced in its object by the integer index of its entry in `deferred`, which gives its text's
    /// range (and its tree, in the rare case the check needed one).
    public static func parsingDocument(
        _ bytes: UnsafeRawBufferPointer, deferring deferred: String, atDepth depth: Int,
        limits: JSONParseLimits = .default
    ) throws(JSONParseError) -> (value: JSONValue, deferred: [(range: Range<Int>, value: JSONValue?)]) {
        precondition(depth > 1, "use parsingObject(_:deferring:limits:) for the top level")
        let buffer = bytes.bindMemory(to: UInt8.self)
        var parser = JSONParser(buffer, limits: limits)
        parser.deferredKey = deferred
        parser.deferredDepth = depth
        let value = try parser.parseDocument()
        return (value, parser.deferredMembers)
    }

    /// Checks that `bytes` are one JSON text, as strictly as parsing them would (the same errors), building a
    /// tree only when the check cannot do without one (then it is returned).
    public static func validate(_ bytes: UnsafeRawBufferPointer, limits: JSONParseLimits = .default)
        throws(JSONParseError) -> JSONValue?
    {
        let buffer = bytes.bindMemory(to: UInt8.self)
        if buffer.count <= limits.maxBytes {
            var start = 0
            while start < buffer.count, isJSONWhitespace(buffer[start]) { start += 1 }
            if start < buffer.count,
                var end = EventScanner.endOfValue(in: buffer, from: start, depth: 0, maxDepth: limits.maxDepth)
            {
                while end < buffer.count, isJSONWhitespace(buffer[end]) { end += 1 }
                if end == buffer.count { return nil }
            }
        }
        var parser = JSONParser(buffer, limits: limits)
        return try parser.parseDocument()
    }

    /// Parses one JSON text, drawing the parse's work from `budget` (see ``WorkBudget``): per 16 bytes of text,
    /// per value and per object member, reported every 256 values, so that a parse stops as soon as the budget
    /// is spent and what the schema and the filters may do after it shrinks by what it took. Throws
    /// ``JSONParseError`` or ``WorkBudgetError``.
    public init(parsing bytes: [UInt8], limits: JSONParseLimits = .default, budget: WorkBudget) throws {
        var stopped: WorkBudgetError?
        do {
            self = try bytes.withUnsafeBufferPointer { buffer throws(JSONParseError) in
                var parser = JSONParser(buffer, limits: limits)
                parser.budget = budget
                do throws(JSONParseError) {
                    let value = try parser.parseDocument()
                    try parser.charge()
                    return value
                } catch {
                    stopped = parser.budgetError
                    throw error
                }
            }
        } catch {
            throw stopped ?? error
        }
    }

    /// Parses one JSON text from a string.
    public init(parsing text: String, limits: JSONParseLimits = .default) throws(JSONParseError) {
        try self.init(parsing: Array(text.utf8), limits: limits)
    }
}

/// A recursive-descent parser over UTF-8 bytes. Recursion is bounded by `limits.maxDepth`.
///
/// The members of the objects and arrays being parsed wait on shared stacks (``keys``, ``values``) and are
/// copied into arrays of their exact size when their container closes: one allocation per array instead of the
/// doublings of appending, and an object's key index is built once (see ``JSONObject/init(parsedKeys:values:keepingLast:)``).
struct JSONParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let limits: JSONParseLimits
    private var position = 0
    private var depth = 0
    private var keys: [String] = []
    private var keyOffsets: [Int] = []
    private var values: [JSONValue] = []
    private var valueCount = 0
    private var memberCount = 0
    /// Where the parse's steps are charged (``JSONValue/init(parsing:limits:budget:)``), and how many were.
    var budget: WorkBudget?
    private var charged = 0
    /// Why the budget stopped the parse (which then throws a ``JSONParseError`` that the caller replaces).
    private(set) var budgetError: WorkBudgetError?
    /// A member of the top-level object to check and skip rather than build (see ``JSONValue/parsingObject(_:deferring:limits:)``).
    var deferredKey: String?
    /// The depth of the objects whose `deferredKey` member is deferred (1: the top-level object only).
    var deferredDepth = 1
    private(set) var deferredMember: (range: Range<Int>, value: JSONValue?)?
    /// Every deferred member, in document order (below the top level, their objects hold their indices).
    private(set) var deferredMembers: [(range: Range<Int>, value: JSONValue?)] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>, limits: JSONParseLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    /// The work of the parse so far in ``WorkBudget`` steps: ``stepsPer16Bytes`` per 16 bytes of text,
    /// ``stepsPerValue`` per value and ``stepsPerMember`` more per object member (its key's string and its place
    /// in the key index). Calibrated with `inlet-bench work` to cost about as much CPU as an evaluator's step.
    var steps: Int {
        (position >> 4) &* Self.stepsPer16Bytes &+ valueCount &* Self.stepsPerValue &+ memberCount
            &* Self.stepsPerMember
    }
    static let stepsPer16Bytes = 3
    static let stepsPerValue = 24
    static let stepsPerMember = 96

    /// Charges the steps taken since the last charge to ``budget``; when it is spent, records why and throws.
    mutating func charge() throws(JSONParseError) {
        guard let budget else { return }
        let total = steps
        do {
            try budget.charge(total &- charged)
            charged = total
        } catch {
            budgetError = error
            throw JSONParseError(code: .tooLarge, message: error.message, offset: position)
        }
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        guard bytes.count <= limits.maxBytes else {
            throw JSONParseError(
                code: .tooLarge, message: "JSON text is larger than \(limits.maxBytes) bytes", offset: 0)
        }
        skipWhitespace()
        guard position < bytes.count else { throw error(.syntax, "expected a JSON value, found end of input") }
        let value = try parseValue()
        skipWhitespace()
        guard position == bytes.count else { throw error(.syntax, "unexpected content after the JSON value") }
        return value
    }

    private func error(_ code: JSONParseError.Code, _ message: String) -> JSONParseError {
        JSONParseError(code: code, message: message, offset: position)
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        valueCount &+= 1
        if valueCount & 255 == 0, budget != nil { try charge() }
        guard position < bytes.count else { throw error(.syntax, "unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        default:
            throw error(.syntax, "unexpected character '\(printable(bytes[position]))'")
        }
    }

    private func printable(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw error(.syntax, "invalid literal") }
        for offset in 0..<count where bytes[position + offset] != literal.utf8Start[offset] {
            throw error(.syntax, "invalid literal, expected '\(literal)'")
        }
        position += count
    }

    private mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        guard depth <= limits.maxDepth else {
            throw error(.depthExceeded, "JSON nesting is deeper than \(limits.maxDepth) levels")
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        defer { depth -= 1 }
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(JSONObject())
        }
        let base = keys.count
        let valueBase = values.count
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw error(.syntax, "expected a string key in object")
            }
            keyOffsets.append(position)
            memberCount &+= 1
            keys.append(try parseString())
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw error(.syntax, "expected ':' after object key")
            }
            position += 1
            skipWhitespace()
            if depth == deferredDepth, let deferredKey, utf8Equal(keys[keys.count - 1], deferredKey) {
                try deferMember()
            } else {
                values.append(try parseValue())
            }
            skipWhitespace()
            guard position < bytes.count else { throw error(.syntax, "unterminated object") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] == UInt8(ascii: "}") {
                position += 1
                break
            } else {
                throw error(.syntax, "expected ',' or '}' in object")
            }
        }
        defer {
            keys.removeSubrange(base...)
            keyOffsets.removeSubrange(base...)
            values.removeSubrange(valueBase...)
        }
        let parsed = JSONObject.parsed(
            keys: Array(keys[base...]), values: Array(values[valueBase...]), keepingLast: !limits.rejectDuplicateKeys)
        switch parsed {
        case .success(var object):
            if depth == 1, deferredDepth == 1, let deferredKey, deferredMember != nil { object[deferredKey] = nil }
            return .object(object)
        case .failure(let duplicate):
            throw JSONParseError(
                code: .duplicateKey, message: "duplicate object key \"\(keys[base + duplicate.position])\"",
                offset: keyOffsets[base + duplicate.position])
        }
    }

    /// Checks the deferred member's value and records where it is; a placeholder takes its place among the
    /// members until the object is built without it.
    private mutating func deferMember() throws(JSONParseError) {
        let start = position
        if let end = EventScanner.endOfValue(in: bytes, from: start, depth: depth, maxDepth: limits.maxDepth) {
            position = end
            deferredMember = (start..<end, nil)
        } else {
            let value = try parseValue()  // the exact error, or a tree the check could not do without
            deferredMember = (start..<position, value)
        }
        deferredMembers.append(deferredMember!)
        values.append(deferredDepth == 1 ? .null : .int(Int64(deferredMembers.count - 1)))
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        defer { depth -= 1 }
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array([])
        }
        let base = values.count
        while true {
            skipWhitespace()
            values.append(try parseValue())
            skipWhitespace()
            guard position < bytes.count else { throw error(.syntax, "unterminated array") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] == UInt8(ascii: "]") {
                position += 1
                break
            } else {
                throw error(.syntax, "expected ',' or ']' in array")
            }
        }
        let elements = Array(values[base...])
        values.removeSubrange(base...)
        return .array(elements)
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSONNumber {
        let start = position
        var plain = true
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { throw error(.syntax, "invalid number") }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) {
                throw error(.syntax, "invalid number: leading zeros are not allowed")
            }
        } else {
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            plain = false
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw error(.syntax, "invalid number: expected digits after '.'")
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            plain = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw error(.syntax, "invalid number: expected digits in exponent")
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        let slice = UnsafeBufferPointer(rebasing: bytes[start..<position])
        let text = String(decoding: slice, as: UTF8.self)
        // An integer of at most 15 digits is exactly its `Double`: no need for the general conversion.
        if plain, slice.count <= 16 {
            let negative = slice[0] == UInt8(ascii: "-")
            let digits = UnsafeBufferPointer(rebasing: slice[(negative ? 1 : 0)...])
            if digits.count <= 15 {
                var value: Int64 = 0
                for digit in digits { value = value &* 10 &+ Int64(digit &- UInt8(ascii: "0")) }
                return JSONNumber(validatedText: text, double: Double(negative ? -value : value))
            }
        }
        return JSONNumber(validatedText: text)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func parseString() throws(JSONParseError) -> String {
        position += 1  // opening quote
        let start = position
        // Fast path: no escapes.
        var highBits: UInt8 = 0
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<position])
                position += 1
                guard highBits < 0x80 || isValidUTF8(slice) else {
                    throw JSONParseError(code: .invalidUTF8, message: "string is not valid UTF-8", offset: start)
                }
                return String(decoding: slice, as: UTF8.self)
            }
            highBits |= byte
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error(.syntax, "unescaped control character in string") }
            position += 1
        }
        var buffer = Array(UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                guard buffer.withUnsafeBufferPointer(isValidUTF8) else {
                    throw JSONParseError(code: .invalidUTF8, message: "string is not valid UTF-8", offset: start)
                }
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\"):
                position += 1
                try parseEscape(into: &buffer)
            case ..<0x20:
                throw error(.syntax, "unescaped control character in string")
            default:
                buffer.append(byte)
                position += 1
            }
        }
        throw error(.syntax, "unterminated string")
    }

    private mutating func parseEscape(into buffer: inout [UInt8]) throws(JSONParseError) {
        guard position < bytes.count else { throw error(.syntax, "unterminated escape") }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""): buffer.append(0x22)
        case UInt8(ascii: "\\"): buffer.append(0x5C)
        case UInt8(ascii: "/"): buffer.append(0x2F)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4()
            if (0xD800...0xDBFF).contains(scalar) {
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                    bytes[position + 1] == UInt8(ascii: "u")
                else { throw error(.invalidUTF8, "unpaired UTF-16 surrogate in string escape") }
                position += 2
                let low = try parseHex4()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error(.invalidUTF8, "unpaired UTF-16 surrogate in string escape")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw error(.invalidUTF8, "unpaired UTF-16 surrogate in string escape")
            }
            buffer.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
        default:
            throw error(.syntax, "invalid escape '\\\(printable(byte))' in string")
        }
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error(.syntax, "incomplete \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error(.syntax, "invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}

/// Whether `bytes` are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var index = 0
    let count = bytes.count
    while index < count {
        let lead = bytes[index]
        if lead < 0x80 {
            index += 1
            continue
        }
        let length: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            upper = 0x9F
        case 0xF0:
            length = 4
            lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            upper = 0x8F
        default: return false
        }
        guard index + length <= count else { return false }
        let second = bytes[index + 1]
        guard second >= lower, second <= upper else { return false }
        for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 { return false }
        index += length
    }
    return true
}

/// Space, tab, line feed or carriage return: JSON's white space.
@inline(__always)
func isJSONWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
}
