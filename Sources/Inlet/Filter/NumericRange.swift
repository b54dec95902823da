/// A `numeric` condition: an interval over binary64 values, bounded on either side, open or closed.
struct NumericRange: Hashable, Sendable {
    var lower: Double = -.infinity
    var lowerInclusive = false
    var upper: Double = .infinity
    var upperInclusive = false

    func contains(_ value: Double) -> Bool {
        (lowerInclusive ? value >= lower : value > lower) && (upperInclusive ? value <= upper : value < upper)
    }

    /// Compiles `[op, n]` or `[">"|">=", lo, "<"|"<=", hi]`; operands must be comparable JSON numbers.
    init(_ terms: JSONValue, at pointer: String) throws(FilterPatternError) {
        guard case .array(let terms) = terms else {
            throw FilterPatternError("numeric takes an array such as [\">\", 0] or [\">\", 0, \"<=\", 5]", at: pointer)
        }
        guard terms.count == 2 || terms.count == 4 else {
            throw FilterPatternError("numeric takes 2 or 4 terms, not \(terms.count)", at: pointer)
        }
        func operand(_ index: Int) throws(FilterPatternError) -> Double {
            let termPointer = JSONPointer.append(pointer, index)
            guard case .number(let number) = terms[index] else {
                throw FilterPatternError("numeric operand must be a number", at: termPointer)
            }
            guard number.isFilterComparable else {
                throw FilterPatternError(
                    "numeric operand \(number.text) is not exactly representable as a binary64 number", at: termPointer)
            }
            return number.double
        }
        func operation(_ index: Int) throws(FilterPatternError) -> String {
            guard case .string(let operation) = terms[index], ["=", "<", "<=", ">", ">="].contains(operation) else {
                throw FilterPatternError(
                    "numeric operator must be one of =, <, <=, >, >=", at: JSONPointer.append(pointer, index))
            }
            return operation
        }
        let first = try operation(0)
        let firstValue = try operand(1)
        switch first {
        case "=": (lower, lowerInclusive, upper, upperInclusive) = (firstValue, true, firstValue, true)
        case "<", "<=": (upper, upperInclusive) = (firstValue, first == "<=")
        default: (lower, lowerInclusive) = (firstValue, first == ">=")
        }
        guard terms.count == 4 else { return }
        guard first == ">" || first == ">=" else {
            throw FilterPatternError("a numeric range must start with > or >=", at: JSONPointer.append(pointer, 0))
        }
        let second = try operation(2)
        guard second == "<" || second == "<=" else {
            throw FilterPatternError("a numeric range must end with < or <=", at: JSONPointer.append(pointer, 2))
        }
        (upper, upperInclusive) = (try operand(3), second == "<=")
        guard lower < upper else {
            throw FilterPatternError(
                "numeric range is empty: the lower bound must be below the upper bound",
                at: JSONPointer.append(pointer, 3))
        }
    }
}
