/// How the filter engine sees a JSON number: as an exact binary64 value when the number is "comparable"
/// (its decimal value is the shortest round-trip form of the nearest double), otherwise only as its text.
enum FilterNumber: Hashable, Sendable {
    /// A comparable number; `-0.0` is stored as `0.0` so that `0` and `-0.0` are one key.
    case value(Double)
    /// A number that is not exactly a binary64 value: it matches only identical JSON text.
    case text(String)

    init(_ number: JSONNumber) {
        if number.isFilterComparable {
            self = .value(number.double == 0 ? 0 : number.double)
        } else {
            self = .text(number.text)
        }
    }

    var double: Double? {
        if case .value(let value) = self { return value }
        return nil
    }
}

extension JSONNumber {
    /// Whether the number takes part in numeric comparisons (see ``FilterNumber``).
    ///
    /// Fast path: a decimal with at most 15 significant digits well inside the normal range always is the
    /// shortest form of its nearest double (binary64 holds 15 decimal digits exactly), so no formatting is
    /// needed for typical event numbers.
    var isFilterComparable: Bool {
        if hasFewSignificantDigits { return true }
        if decimal.digits.isEmpty { return true }
        if decimal.digits.count <= 15, decimal.exponent > -300, decimal.exponent < 300 { return true }
        // The reference engine prints the smallest subnormal as 4.9E-324, so `5e-324` is not comparable.
        return isExactDouble && double.magnitude != .leastNonzeroMagnitude
    }
}

extension JSONNumber {
    /// The fast path of ``isFilterComparable`` read straight off the text, without building the
    /// ``CanonicalDecimal`` (three allocations) that matching every numeric condition would otherwise pay:
    /// zero, or at most 15 significant digits with a decimal exponent strictly between -300 and 300.
    fileprivate var hasFewSignificantDigits: Bool {
        var digitCount = 0
        var pointAt = -1
        var firstNonZero = -1
        var lastNonZero = -1
        var exponent = 0
        var exponentNegative = false
        var inExponent = false
        for byte in text.utf8 {
            if inExponent {
                if byte == UInt8(ascii: "-") {
                    exponentNegative = true
                } else if byte != UInt8(ascii: "+") {
                    guard exponent < 100_000 else { return false }
                    exponent = exponent * 10 + Int(byte &- UInt8(ascii: "0"))
                }
            } else if byte == UInt8(ascii: ".") {
                pointAt = digitCount
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                inExponent = true
            } else if byte != UInt8(ascii: "-") {
                if byte != UInt8(ascii: "0") {
                    if firstNonZero < 0 { firstNonZero = digitCount }
                    lastNonZero = digitCount
                }
                digitCount += 1
            }
        }
        guard firstNonZero >= 0 else { return true }
        let decimalExponent =
            (pointAt >= 0 ? pointAt : digitCount) - firstNonZero + (exponentNegative ? -exponent : exponent)
        return lastNonZero - firstNonZero < 15 && decimalExponent > -300 && decimalExponent < 300
    }
}
