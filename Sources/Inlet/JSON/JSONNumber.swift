/// A JSON number that keeps its source text.
///
/// JSON numbers are arbitrary-precision decimals; most fit an `Int64` or a `Double`, but some do not
/// (`9007199254740993`, `1e400`). Keeping the text lets every consumer decide exactly: equality and ordering
/// are exact decimal comparisons, ``int64`` is present only for exact integers in range, and
/// ``isExactDouble`` tells whether ``double`` is the number itself rather than its nearest approximation.
public struct JSONNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The number's JSON text, as parsed (or as produced from a Swift value).
    public let text: String
    /// The nearest binary64 value; `±infinity` when the number is beyond `Double`'s range.
    public let double: Double

    /// The exact decimal value, derived from the text when an exact comparison needs it (parsing stays cheap).
    var decimal: CanonicalDecimal { CanonicalDecimal(jsonText: text)! }

    /// Creates a number from JSON number text; `nil` if the text is not a JSON number.
    public init?(text: String) {
        guard let decimal = CanonicalDecimal(jsonText: text) else { return nil }
        self.text = text
        self.double = Double(text) ?? (decimal.negative ? -.infinity : .infinity)
    }

    /// For text the parser has already checked against the JSON number grammar.
    init(validatedText text: String) {
        self.text = text
        self.double = Double(text) ?? (text.hasPrefix("-") ? -.infinity : .infinity)
    }

    /// For text the parser has already checked and converted.
    init(validatedText text: String, double: Double) {
        self.text = text
        self.double = double
    }

    public init(_ value: Int64) {
        self.init(text: String(value))!
    }

    public init(_ value: Int) {
        self.init(Int64(value))
    }

    /// Creates a number from a finite double, written in Swift's shortest round-trip form.
    public init(_ value: Double) {
        precondition(value.isFinite, "JSON has no representation for \(value)")
        if value == value.rounded(), abs(value) < 1e15 {
            self.init(text: String(Int64(value)))!
        } else {
            self.init(text: "\(value)")!
        }
    }

    public var description: String { text }

    /// The exact integer value, when the number is an integer (`5`, `5.0`, `5e0`) that fits in `Int64`.
    public var int64: Int64? {
        if let value = Int64(text) { return value }  // the common case: plain integer text
        return decimal.int64
    }

    /// Whether the number is mathematically an integer (of any size): JSON Schema's `integer`.
    public var isInteger: Bool { plainInteger != nil || decimal.isInteger }

    /// The value of integer text without fraction or exponent (`-42`, not `42.0` or `4.2e1`) of at most 18
    /// digits, read without building the ``decimal``: the fast path of comparisons and hashing, which
    /// `enum`, `const`, `uniqueItems`, `minimum` and `type: integer` run once per value.
    private var plainInteger: Int64? {
        var text = text
        return text.withUTF8 { utf8 -> Int64? in
            guard !utf8.isEmpty, utf8.count <= 19 else { return nil }
            let negative = utf8[0] == UInt8(ascii: "-")
            let digits = UnsafeBufferPointer(rebasing: utf8[(negative ? 1 : 0)...])
            guard !digits.isEmpty, digits.count <= 18 else { return nil }
            var value: Int64 = 0
            for byte in digits {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value &* 10 &+ Int64(byte &- UInt8(ascii: "0"))
            }
            return negative ? -value : value
        }
    }

    /// Whether the number is exactly a finite binary64 value, written so that its decimal value equals the
    /// shortest round-trip form of that double (`0.1` is; `9007199254740993` and `1e400` are not).
    public var isExactDouble: Bool {
        guard double.isFinite else { return false }
        guard let shortest = CanonicalDecimal(jsonText: "\(double)") else { return false }
        return shortest == decimal
    }

    public var isZero: Bool { decimal.digits.isEmpty }
    public var isNegative: Bool { decimal.negative && !decimal.digits.isEmpty }

    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        if let left = lhs.plainInteger, let right = rhs.plainInteger { return left == right }
        return lhs.decimal == rhs.decimal
    }

    public static func < (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        if let left = lhs.plainInteger, let right = rhs.plainInteger { return left < right }
        return lhs.decimal < rhs.decimal
    }

    public func hash(into hasher: inout Hasher) {
        guard let value = plainInteger else { return hasher.combine(decimal) }
        CanonicalDecimal.hash(integer: value, into: &hasher)
    }
}

/// An exact decimal: `±0.d₁d₂…dₙ × 10^exponent` with `d₁ ≠ 0` and `dₙ ≠ 0`; zero has no digits.
struct CanonicalDecimal: Sendable, Hashable, Comparable {
    var negative: Bool
    /// Significant digits as values 0–9, without leading or trailing zeros.
    var digits: [UInt8]
    var exponent: Int

    init?(jsonText: String) {
        var utf8 = Array(jsonText.utf8)[...]
        negative = utf8.first == UInt8(ascii: "-")
        if negative { utf8 = utf8.dropFirst() }
        var mantissa: [UInt8] = []
        var pointPosition: Int?
        var sawDigit = false
        while let byte = utf8.first {
            if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                mantissa.append(byte - UInt8(ascii: "0"))
                sawDigit = true
            } else if byte == UInt8(ascii: "."), pointPosition == nil {
                pointPosition = mantissa.count
            } else {
                break
            }
            utf8 = utf8.dropFirst()
        }
        guard sawDigit else { return nil }
        var explicitExponent = 0
        if let marker = utf8.first {
            guard marker == UInt8(ascii: "e") || marker == UInt8(ascii: "E") else { return nil }
            utf8 = utf8.dropFirst()
            var exponentNegative = false
            if utf8.first == UInt8(ascii: "+") || utf8.first == UInt8(ascii: "-") {
                exponentNegative = utf8.first == UInt8(ascii: "-")
                utf8 = utf8.dropFirst()
            }
            guard !utf8.isEmpty else { return nil }
            for byte in utf8 {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                // Saturate: exponents beyond a billion are all "astronomically large" for every comparison here.
                if explicitExponent < 1_000_000_000 {
                    explicitExponent = explicitExponent * 10 + Int(byte - UInt8(ascii: "0"))
                }
            }
            if exponentNegative { explicitExponent = -explicitExponent }
        }
        let integerDigits = pointPosition ?? mantissa.count
        guard let firstNonZero = mantissa.firstIndex(where: { $0 != 0 }) else {
            digits = []
            exponent = 0
            return
        }
        let lastNonZero = mantissa.lastIndex(where: { $0 != 0 })!
        digits = Array(mantissa[firstNonZero...lastNonZero])
        exponent = integerDigits - firstNonZero + explicitExponent
    }

    var isInteger: Bool { digits.count <= exponent || digits.isEmpty }

    var int64: Int64? {
        if digits.isEmpty { return 0 }
        guard isInteger, exponent <= 19 else { return nil }
        var magnitude: UInt64 = 0
        for position in 0..<exponent {
            let digit = position < digits.count ? UInt64(digits[position]) : 0
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            magnitude = sum
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    static func == (lhs: CanonicalDecimal, rhs: CanonicalDecimal) -> Bool {
        if lhs.digits.isEmpty && rhs.digits.isEmpty { return true }  // -0 == 0
        return lhs.negative == rhs.negative && lhs.exponent == rhs.exponent && lhs.digits == rhs.digits
    }

    func hash(into hasher: inout Hasher) {
        if digits.isEmpty {
            hasher.combine(0)
            return
        }
        hasher.combine(negative)
        hasher.combine(exponent)
        hasher.combine(digits.count)
        for digit in digits { hasher.combine(digit) }
    }

    /// Hashes `value` exactly as its decimal hashes, without building the decimal's digits.
    static func hash(integer value: Int64, into hasher: inout Hasher) {
        if value == 0 {
            hasher.combine(0)
            return
        }
        // Significant digits, least significant first; trailing zeros go into the exponent only.
        var magnitude = value.magnitude
        var exponent = 0
        while magnitude % 10 == 0 {
            magnitude /= 10
            exponent += 1
        }
        var reversed: (UInt64, Int) = (0, 0)  // the digits read backwards, and how many
        while magnitude > 0 {
            reversed = (reversed.0 * 10 + magnitude % 10, reversed.1 + 1)
            magnitude /= 10
        }
        hasher.combine(value < 0)
        hasher.combine(exponent + reversed.1)
        hasher.combine(reversed.1)
        var digits = reversed.0
        for _ in 0..<reversed.1 {
            hasher.combine(UInt8(digits % 10))
            digits /= 10
        }
    }

    static func < (lhs: CanonicalDecimal, rhs: CanonicalDecimal) -> Bool {
        let lhsSign = lhs.digits.isEmpty ? 0 : (lhs.negative ? -1 : 1)
        let rhsSign = rhs.digits.isEmpty ? 0 : (rhs.negative ? -1 : 1)
        if lhsSign != rhsSign { return lhsSign < rhsSign }
        if lhsSign == 0 { return false }
        let magnitudeLess = lhs.magnitudeLess(than: rhs)
        let magnitudeEqual = lhs.exponent == rhs.exponent && lhs.digits == rhs.digits
        return lhsSign > 0 ? magnitudeLess : !magnitudeLess && !magnitudeEqual
    }

    private func magnitudeLess(than other: CanonicalDecimal) -> Bool {
        if exponent != other.exponent { return exponent < other.exponent }
        return digits.lexicographicallyPrecedes(other.digits)
    }
}
