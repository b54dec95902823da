/// A parsed regular expression.
indirect enum RegexNode: Sendable {
    case empty
    case literal(UInt32)
    case characterClass(RegexCharacterClass)
    case sequence([RegexNode])
    case alternation([RegexNode])
    case repetition(RegexNode, min: Int, max: Int?)
    case assertion(RegexAssertion)
    case lookahead(RegexNode, negated: Bool)
}

enum RegexAssertion: Sendable {
    case start, end, wordBoundary, notWordBoundary
}

/// Why a pattern was refused: ECMA-262 syntax errors, and features this engine does not offer.
struct RegexSyntaxError: Error, Sendable {
    let message: String
}

/// Parses ECMA-262 pattern syntax (as with the `u` flag) into a ``RegexNode``.
///
/// Lenient where browsers are: a `{`, `}` or `]` that cannot start or end a construct is a literal.
/// Backreferences and lookbehind are refused, since the matcher guarantees linear time.
struct RegexParser {
    private let scalars: [UInt32]
    private var position = 0
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

    private func peek(_ offset: Int = 0) -> UInt32? {
        position + offset < scalars.count ? scalars[position + offset] : nil
    }

    private func isChar(_ value: UInt32?, _ character: Unicode.Scalar) -> Bool { value == character.value }

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

    /// An escape after `\`, as a class item (a single scalar is a one-element range).
    private mutating func parseEscape(inClass: Bool) throws(RegexSyntaxError) -> RegexCharacterClass.Item {
        let next = scalars[position]
        position += 1
        func single(_ value: UInt32) -> RegexCharacterClass.Item { .range(value...value) }
        switch next {
        case ascii("d"): return .digit(negated: false)
        case ascii("D"): return .digit(negated: true)
        case ascii("w"): return .word(negated: false)
        case ascii("W"): return .word(negated: true)
        case ascii("s"): return .space(negated: false)
        case ascii("S"): return .space(negated: true)
        case ascii("t"): return single(0x09)
        case ascii("n"): return single(0x0A)
        case ascii("v"): return single(0x0B)
        case ascii("f"): return single(0x0C)
        case ascii("r"): return single(0x0D)
        case ascii("b") where inClass: return single(0x08)
        case ascii("-") where inClass: return single(next)
        case ascii("0"):
            if let digit = peek(), RegexCharacterClass.isDigit(digit) {
                throw RegexSyntaxError(message: "octal escapes are not allowed")
            }
            return single(0)
        case ascii("c"):
            guard let letter = peek(), (0x41...0x5A).contains(letter) || (0x61...0x7A).contains(letter) else {
                throw RegexSyntaxError(message: "invalid control escape")
            }
            position += 1
            return single(letter % 32)
        case ascii("x"): return single(try parseHex(count: 2))
        case ascii("u"): return single(try parseUnicodeEscape())
        case ascii("p"), ascii("P"):
            guard isChar(peek(), "{") else { throw RegexSyntaxError(message: "invalid property escape") }
            position += 1
            var name = ""
            while let scalar = peek(), scalar != ascii("}"), let character = Unicode.Scalar(scalar) {
                name.unicodeScalars.append(character)
                position += 1
            }
            guard isChar(peek(), "}") else { throw RegexSyntaxError(message: "unterminated property escape") }
            position += 1
            guard let property = RegexUnicodeProperty(name: name) else {
                throw RegexSyntaxError(message: "unsupported Unicode property '\(name)'")
            }
            return .property(property, negated: next == ascii("P"))
        default:
            // Identity escapes: any non-alphanumeric scalar stands for itself.
            if next < 0x80, RegexCharacterClass.isWord(next) {
                throw RegexSyntaxError(message: "invalid escape '\\\(Character(Unicode.Scalar(UInt8(next))))'")
            }
            return single(next)
        }
    }

    private mutating func parseHex(count: Int) throws(RegexSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<count {
            guard let digit = peek().flatMap(Self.hexValue) else {
                throw RegexSyntaxError(message: "invalid hex escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    private mutating func parseUnicodeEscape() throws(RegexSyntaxError) -> UInt32 {
        if isChar(peek(), "{") {
            position += 1
            var value: UInt32 = 0
            var digits = 0
            while let digit = peek().flatMap(Self.hexValue) {
                value = value << 4 | digit
                digits += 1
                position += 1
                guard value <= 0x10FFFF else { throw RegexSyntaxError(message: "code point out of range") }
            }
            guard digits > 0, isChar(peek(), "}") else { throw RegexSyntaxError(message: "invalid unicode escape") }
            position += 1
            return value
        }
        let high = try parseHex(count: 4)
        if (0xD800...0xDBFF).contains(high), isChar(peek(), "\\"), isChar(peek(1), "u") {
            let saved = position
            position += 2
            if let low = try? parseHex(count: 4), (0xDC00...0xDFFF).contains(low) {
                return 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
            }
            position = saved
        }
        return high
    }

    private static func hexValue(_ scalar: UInt32) -> UInt32? {
        switch scalar {
        case 0x30...0x39: scalar - 0x30
        case 0x41...0x46: scalar - 0x41 + 10
        case 0x61...0x66: scalar - 0x61 + 10
        default: nil
        }
    }

    /// A bracketed class, after its `[`.
    private mutating func parseClass() throws(RegexSyntaxError) -> RegexCharacterClass {
        var negated = false
        if isChar(peek(), "^") {
            negated = true
            position += 1
        }
        var items: [RegexCharacterClass.Item] = []
        while let next = peek(), next != ascii("]") {
            let low = try parseClassAtom()
            if isChar(peek(), "-"), let after = peek(1), after != ascii("]") {
                position += 1
                let high = try parseClassAtom()
                guard case .range(let lowRange) = low, case .range(let highRange) = high,
                    lowRange.lowerBound == lowRange.upperBound, highRange.lowerBound == highRange.upperBound
                else { throw RegexSyntaxError(message: "invalid character class range") }
                guard lowRange.lowerBound <= highRange.lowerBound else {
                    throw RegexSyntaxError(message: "character class range out of order")
                }
                items.append(.range(lowRange.lowerBound...highRange.lowerBound))
            } else {
                items.append(low)
            }
        }
        guard isChar(peek(), "]") else { throw RegexSyntaxError(message: "unterminated character class") }
        position += 1
        return RegexCharacterClass(items: items, negated: negated)
    }

    private mutating func parseClassAtom() throws(RegexSyntaxError) -> RegexCharacterClass.Item {
        let next = scalars[position]
        position += 1
        if next == ascii("\\") {
            guard position < scalars.count else { throw RegexSyntaxError(message: "\\ at end of pattern") }
            return try parseEscape(inClass: true)
        }
        return .range(next...next)
    }
}

/// The code point of a scalar literal, for comparisons against pattern scalars.
private func ascii(_ scalar: Unicode.Scalar) -> UInt32 { scalar.value }
