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
        if decimal.digits.isEmpty { return true }
        if decimal.digits.count <= 15, decimal.exponent > -300, decimal.exponent < 300 { return true }
        // The reference engine prints the smallest subnormal as 4.9E-324, so `5e-324` is not comparable.
        return isExactDouble && double.magnitude != .leastNonzeroMagnitude
    }
}
