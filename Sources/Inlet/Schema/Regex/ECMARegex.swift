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
        var machine = RegexMachine(program: program, input: string.unicodeScalars.map(\.value), budget: budget)
        return try machine.search()
    }

    /// Whether the pattern matches, and the thread steps that took (for tests of the linear bound).
    func matchesCountingSteps(_ string: String) -> (matched: Bool, steps: Int) {
        var machine = RegexMachine(program: program, input: string.unicodeScalars.map(\.value))
        let matched = (try? machine.search()) ?? false
        return (matched, machine.meter.total)
    }
}
