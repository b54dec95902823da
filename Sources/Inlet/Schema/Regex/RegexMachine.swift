/// A Pike VM: simulates every thread of the program in lock step, so matching takes time linear in the input
/// (times the program size) whatever the pattern. Lookaheads run as anchored sub-matches, memoised per position.
struct RegexMachine {
    private let program: RegexProgram
    private let input: [UInt32]
    private var lookaheadResults: [Int: Bool] = [:]

    init(program: RegexProgram, input: [UInt32]) {
        self.program = program
        self.input = input
    }

    /// Whether the pattern matches anywhere in the input.
    mutating func search() -> Bool {
        run(programIndex: 0, from: 0, anchored: false)
    }

    private mutating func run(programIndex: Int, from start: Int, anchored: Bool) -> Bool {
        let code = program.programs[programIndex]
        var marks = [Int](repeating: -1, count: code.count)
        var current: [Int] = []
        var next: [Int] = []
        var stack: [Int] = []
        var generation = 0
        var matched = false

        func addThread(_ pc: Int, at position: Int, to list: inout [Int], machine: inout RegexMachine) {
            stack.append(pc)
            while let pc = stack.popLast() {
                if marks[pc] == generation { continue }
                marks[pc] = generation
                switch code[pc] {
                case .jump(let target): stack.append(target)
                case .split(let first, let second):
                    stack.append(second)
                    stack.append(first)
                case .assertion(let assertion):
                    if machine.holds(assertion, at: position) { stack.append(pc + 1) }
                case .lookahead(let sub, let negated):
                    if machine.lookahead(sub, at: position) != negated { stack.append(pc + 1) }
                case .match: matched = true
                case .literal, .characterClass: list.append(pc)
                }
            }
        }

        addThread(0, at: start, to: &current, machine: &self)
        var position = start
        while !matched, position < input.count, !(current.isEmpty && anchored) {
            let scalar = input[position]
            generation += 1
            next.removeAll(keepingCapacity: true)
            for pc in current {
                let consumes: Bool
                switch code[pc] {
                case .literal(let expected): consumes = scalar == expected
                case .characterClass(let characterClass): consumes = characterClass.matches(scalar)
                default: consumes = false
                }
                if consumes { addThread(pc + 1, at: position + 1, to: &next, machine: &self) }
            }
            if !anchored, !matched { addThread(0, at: position + 1, to: &next, machine: &self) }
            swap(&current, &next)
            position += 1
        }
        return matched
    }

    private mutating func lookahead(_ sub: Int, at position: Int) -> Bool {
        let key = sub &* (input.count + 1) &+ position
        if let known = lookaheadResults[key] { return known }
        let result = run(programIndex: sub, from: position, anchored: true)
        lookaheadResults[key] = result
        return result
    }

    private func holds(_ assertion: RegexAssertion, at position: Int) -> Bool {
        switch assertion {
        case .start: return position == 0
        case .end: return position == input.count
        case .wordBoundary, .notWordBoundary:
            let before = position > 0 && RegexCharacterClass.isWord(input[position - 1])
            let after = position < input.count && RegexCharacterClass.isWord(input[position])
            return (before != after) == (assertion == .wordBoundary)
        }
    }
}
