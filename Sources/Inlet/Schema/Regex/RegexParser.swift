/// A parsed regular expression.
indirect enum RegexNode: Hashable, Sendable {
    case empty
    case literal(UInt32)
    case characterClass(RegexCharacterClass)
    case sequence([RegexNode])
    case alternation([RegexNode])
    case repetition(RegexNode, min: Int, max: Int?)
    case assertion(RegexAssertion)
    case lookahead(RegexNode, negated: Bool)
}

enum RegexAssertion: Hashable, Sendable {
    case start, end, wordBoundary, notWordBoundary
}

/// Why a pattern was refused: ECMA-262 syntax errors, and features this engine does not offer.
struct RegexSyntaxError: Error, Sendable {
    let message: String
}

/// Parses ECMA-262 pattern syntax (as with the `u` flag) into a ``RegexNode``.
///
/// Lenient where browsers are: a `{`, `}` or `]` that cannot start or end a construct is a literal.
/// Backreferences and lookbehind are refused: the matcher guarantees time linear in the input, and no
/// construction matches backreferences in linear time.
struct RegexParser {
    let scalars: [UInt32]
    var position = 0
    private var groupDepth = 0
    private static let maxGroupDepth = 64

    init(_ pattern: String) {
        scalars = pattern.unicodeScalars.map(\.value)
    }

    mutating func parse() throws(RegexSyntaxError) -> RegexNode {
        let node = try parseAlternation()
        if position < scalars.count { throw RegexSyntaxError(message: "unmatched ')'") }
        return node
    }

    func peek(_ offset: Int = 0) -> UInt32? {
        position + offset < scalars.count ? scalars[position + offset] : nil
    }

    func isChar(_ value: UInt32?, _ character: Unicode.Scalar) -> Bool { value == character.value }

    private mutating func parseAlternation() throws(RegexSyntaxError) -> RegexNode {
        var branches = [try parseSequence()]
        while isChar(peek(), "|") {
            position += 1
            branches.append(try parseSequence())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func parseSequence() throws(RegexSyntaxError) -> RegexNode {
        var terms: [RegexNode] = []
        while let next = peek(), next != ascii("|"), next != ascii(")") {
            let (atom, quantifiable) = try parseAtom()
            if let (min, max) = try parseQuantifier() {
                guard quantifiable else { throw RegexSyntaxError(message: "nothing to repeat") }
                terms.append(.repetition(atom, min: min, max: max))
            } else {
                terms.append(atom)
            }
        }
        return terms.isEmpty ? .empty : terms.count == 1 ? terms[0] : .sequence(terms)
    }

    /// Parses `*`, `+`, `?`, `{n}`, `{n,}` or `{n,m}` (each optionally lazy), or nothing.
    private mutating func parseQuantifier() throws(RegexSyntaxError) -> (Int, Int?)? {
        guard let next = peek() else { return nil }
        var bounds: (Int, Int?)
        switch next {
        case ascii("*"): bounds = (0, nil); position += 1
        case ascii("+"): bounds = (1, nil); position += 1
        case ascii("?"): bounds = (0, 1); position += 1
        case ascii("{"):
            guard let braced = parseBraces() else { return nil }
            bounds = braced
        default: return nil
        }
        if let max = bounds.1, max < bounds.0 { throw RegexSyntaxError(message: "numbers out of order in quantifier") }
        if isChar(peek(), "?") { position += 1 }  // lazy: irrelevant to whether a match exists
        if let after = peek(), after == ascii("*") || after == ascii("+") || after == ascii("?") {
            throw RegexSyntaxError(message: "nothing to repeat")
        }
        return bounds
    }

    /// `{n}`, `{n,}`, `{n,m}`; `nil` (consuming nothing) when the brace does not start a quantifier.
    private mutating func parseBraces() -> (Int, Int?)? {
        var cursor = position + 1
        func number() -> Int? {
            var value: Int?
            while cursor < scalars.count, RegexCharacterClass.isDigit(scalars[cursor]) {
                value = min((value ?? 0) * 10 + Int(scalars[cursor] - 0x30), 1_000_000)
                cursor += 1
            }
            return value
        }
        guard let low = number() else { return nil }
        var high: Int? = low
        if cursor < scalars.count, scalars[cursor] == ascii(",") {
            cursor += 1
            high = number()
        }
        guard cursor < scalars.count, scalars[cursor] == ascii("}") else { return nil }
        position = cursor + 1
        return (low, high)
    }

    /// One atom, and whether a quantifier may follow it.
    private mutating func parseAtom() throws(RegexSyntaxError) -> (RegexNode, Bool) {
        let next = scalars[position]
        position += 1
        switch next {
        case ascii("^"): return (.assertion(.start), false)
        case ascii("$"): return (.assertion(.end), false)
        case ascii("."): return (.characterClass(.dot), true)
        case ascii("("): return try parseGroup()
        case ascii("["): return (.characterClass(try parseClass()), true)
        case ascii("\\"): return try parseAtomEscape()
        case ascii("*"), ascii("+"), ascii("?"):
            throw RegexSyntaxError(message: "nothing to repeat")
        case ascii("{"):
            position -= 1
            if parseBraces() != nil { throw RegexSyntaxError(message: "nothing to repeat") }
            position += 1
            return (.literal(next), true)
        default: return (.literal(next), true)
        }
    }

    private mutating func parseGroup() throws(RegexSyntaxError) -> (RegexNode, Bool) {
        groupDepth += 1
        defer { groupDepth -= 1 }
        guard groupDepth <= Self.maxGroupDepth else { throw RegexSyntaxError(message: "groups nested too deeply") }
        var lookahead: Bool?
        if isChar(peek(), "?") {
            switch peek(1) {
            case ascii(":"): position += 2
            case ascii("="): position += 2; lookahead = false
            case ascii("!"): position += 2; lookahead = true
            case ascii("<") where isChar(peek(2), "=") || isChar(peek(2), "!"):
                throw RegexSyntaxError(message: "lookbehind assertions are not supported")
            case ascii("<"):
                position += 2
                while let scalar = peek(), scalar != ascii(">") { position += 1 }
                guard isChar(peek(), ">") else { throw RegexSyntaxError(message: "invalid group name") }
                position += 1
            default: throw RegexSyntaxError(message: "invalid group")
            }
        }
        let inner = try parseAlternation()
        guard isChar(peek(), ")") else { throw RegexSyntaxError(message: "unterminated group") }
        position += 1
        if let negated = lookahead { return (.lookahead(inner, negated: negated), true) }
        return (inner, true)
    }

    private mutating func parseAtomEscape() throws(RegexSyntaxError) -> (RegexNode, Bool) {
        guard let next = peek() else { throw RegexSyntaxError(message: "\\ at end of pattern") }
        switch next {
        case ascii("b"): position += 1; return (.assertion(.wordBoundary), false)
        case ascii("B"): position += 1; return (.assertion(.notWordBoundary), false)
        case ascii("1")...ascii("9"), ascii("k"):
            throw RegexSyntaxError(message: "backreferences are not supported")
        default:
            let item = try parseEscape(inClass: false)
            if case .range(let range) = item, range.lowerBound == range.upperBound {
                return (.literal(range.lowerBound), true)
            }
            return (.characterClass(RegexCharacterClass(items: [item])), true)
        }
    }

}

/// The code point of a scalar literal, for comparisons against pattern scalars.
func ascii(_ scalar: Unicode.Scalar) -> UInt32 { scalar.value }
