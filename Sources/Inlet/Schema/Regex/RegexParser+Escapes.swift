extension RegexParser {
    /// An escape after `\`, as a class item (a single scalar is a one-element range).
    mutating func parseEscape(inClass: Bool) throws(RegexSyntaxError) -> RegexCharacterClass.Item {
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
    mutating func parseClass() throws(RegexSyntaxError) -> RegexCharacterClass {
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
