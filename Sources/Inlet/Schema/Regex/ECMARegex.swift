/// An ECMA-262 regular expression compiled for linear-time matching (no backtracking).
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
        var machine = RegexMachine(program: program, input: string.unicodeScalars.map(\.value))
        return machine.search()
    }
}
