extension JSONNumber {
    /// Whether `self` is an integer multiple of `divisor` (> 0), computed exactly on the decimal values, so
    /// `0.0075` is a multiple of `0.0001` and `1e308` is not a multiple of `0.123456789`.
    func isMultiple(of divisor: JSONNumber) -> Bool {
        let dividend = decimal
        let divisor = divisor.decimal
        if dividend.digits.isEmpty { return true }
        if divisor.digits.isEmpty { return false }
        // value = significand × 10^scale, with significands free of trailing zeros.
        let scaleDifference = (dividend.exponent - dividend.digits.count) - (divisor.exponent - divisor.digits.count)
        // A significand without trailing zeros is never divisible by 10, so dividing by a larger power of ten
        // cannot leave an integer.
        guard scaleDifference >= 0 else { return false }
        guard divisor.digits.count <= 18 else { return approximateIsMultiple(of: divisor) }
        let modulus = divisor.digits.reduce(UInt64(0)) { $0 * 10 + UInt64($1) }
        var remainder: UInt64 = 0
        for digit in dividend.digits {
            remainder = Self.multiplyModulo(remainder, 10, modulus) + UInt64(digit)
            remainder %= modulus
        }
        let scale = Self.powerOfTenModulo(scaleDifference, modulus)
        return Self.multiplyModulo(remainder, scale, modulus) == 0
    }

    private func approximateIsMultiple(of divisor: CanonicalDecimal) -> Bool {
        guard let divisorValue = Double(String(describing: divisor)) else { return false }
        let quotient = double / divisorValue
        return quotient.isFinite && quotient == quotient.rounded()
    }

    private static func multiplyModulo(_ lhs: UInt64, _ rhs: UInt64, _ modulus: UInt64) -> UInt64 {
        let product = lhs.multipliedFullWidth(by: rhs)
        return modulus.dividingFullWidth((product.high, product.low)).remainder
    }

    private static func powerOfTenModulo(_ exponent: Int, _ modulus: UInt64) -> UInt64 {
        var result: UInt64 = 1 % modulus
        var base: UInt64 = 10 % modulus
        var exponent = exponent
        while exponent > 0 {
            if exponent & 1 == 1 { result = multiplyModulo(result, base, modulus) }
            base = multiplyModulo(base, base, modulus)
            exponent >>= 1
        }
        return result
    }
}

extension CanonicalDecimal: CustomStringConvertible {
    /// Scientific notation (`1.5e3`), exact.
    var description: String {
        guard let first = digits.first else { return "0" }
        var text = negative ? "-" : ""
        text += String(first)
        if digits.count > 1 { text += "." + digits.dropFirst().map(String.init).joined() }
        return text + "e" + String(exponent - 1)
    }
}
