/// An ECMA-262 regular expression compiled for linear-time matching (no backtracking): time is linear in the
/// input times the pattern size, lookaheads included (see ``RegexMachine``).
struct ECMARegex: Sendable {
    let pattern: String
    private let program: RegexProgram

    init(_ pattern: String) throws(RegexSyntaxError) {
        var parser = RegexParser(pattern)
        self.pattern = pattern
        program = try RegexProgram(try parser.parse())
    }

    /// Whether the pattern matches somewhere in `string` (patterns are not implicitly anchored).
    func matches(_ string: String) -> Bool {
        // Without a budget the machine never throws.
        (try? matches(string, budget: nil)) ?? false
    }

    /// Whether the pattern matches somewhere in `string`, drawing the steps it takes from `budget`.
    func matches(_ string: String, budget: WorkBudget?) throws(WorkBudgetError) -> Bool {
        var meter = StepMeter(budget: budget)
        let matched = try search(string, meter: &meter)
        try meter.report()
        return matched
    }

    /// Whether the pattern matches, and the thread steps that took (for tests of the linear bound).
    func matchesCountingSteps(_ string: String) -> (matched: Bool, steps: Int) {
        var meter = StepMeter(budget: nil)
        let matched = (try? search(string, meter: &meter)) ?? false
        return (matched, meter.total)
    }

    /// Decodes `string` once into scalars (on the stack when it is short) and runs the machine over them.
    private func search(_ string: String, meter: inout StepMeter) throws(WorkBudgetError) -> Bool {
        var string = string
        let result: Result<Bool, WorkBudgetError> = string.withUTF8 { bytes in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: bytes.count) { scalars in
                let count = Self.decode(bytes, into: scalars)
                let input = UnsafeBufferPointer(rebasing: scalars[..<count])
                return Result { () throws(WorkBudgetError) in try RegexMachine.search(program, in: input, meter: &meter)
                }
            }
        }
        return try result.get()
    }

    /// Writes the scalars of valid UTF-8 `bytes` to `scalars`; how many there are.
    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>, into scalars: UnsafeMutableBufferPointer<UInt32>)
        -> Int
    {
        var count = 0
        var index = 0
        while index < bytes.count {
            let lead = UInt32(bytes[index])
            if lead < 0x80 {
                scalars[count] = lead
                index &+= 1
            } else if lead < 0xE0 {
                scalars[count] = (lead & 0x1F) << 6 | UInt32(bytes[index &+ 1] & 0x3F)
                index &+= 2
            } else if lead < 0xF0 {
                scalars[count] =
                    (lead & 0x0F) << 12 | UInt32(bytes[index &+ 1] & 0x3F) << 6 | UInt32(bytes[index &+ 2] & 0x3F)
                index &+= 3
            } else {
                scalars[count] =
                    (lead & 0x07) << 18 | UInt32(bytes[index &+ 1] & 0x3F) << 12
                    | UInt32(bytes[index &+ 2] & 0x3F) << 6 | UInt32(bytes[index &+ 3] & 0x3F)
                index &+= 4
            }
            count &+= 1
        }
        return count
    }
}
