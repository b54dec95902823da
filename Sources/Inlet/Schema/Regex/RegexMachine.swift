/// A Pike VM: simulates every thread of the program in lock step, so matching takes time linear in the input
/// times the program size, whatever the pattern.
///
/// Lookaheads keep that bound with the construction of Barrière and Pit-Claudel ("Linear Matching of JavaScript
/// Regular Expressions", PLDI 2024): before the main pass, each lookahead body (innermost first) runs once,
/// reversed, from the end of the input to its start, with a fresh thread added at every position; the body
/// holds at position `i` exactly when an accepting thread is live there. The main pass, and the passes of
/// enclosing lookaheads, then read those tables in constant time, instead of re-scanning the input from every
/// position where a lookahead is tried.
struct RegexMachine {
    private let program: RegexProgram
    private let input: [UInt32]
    /// Per lookahead body (index `program - 1`): bit `i` is set when the body matches from position `i`.
    private var tables: [[UInt64]] = []
    /// Thread steps taken: instructions visited at one position, and scalars tested by consuming instructions.
    private(set) var meter: StepMeter

    init(program: RegexProgram, input: [UInt32], budget: WorkBudget? = nil) {
        self.program = program
        self.input = input
        self.meter = StepMeter(budget: budget)
    }

    /// Whether the pattern matches anywhere in the input.
    mutating func search() throws(WorkBudgetError) -> Bool {
        for body in 1..<program.programs.count {
            tables.append(try lookaheadTable(body))
        }
        let matched = try run()
        try meter.report()
        return matched
    }

    /// The unanchored forward pass of the main program; stops at the first match.
    private mutating func run() throws(WorkBudgetError) -> Bool {
        var threads = ThreadLists(size: program.programs[0].count)
        var matched = try addThread(0, program: 0, at: 0, toNext: false, threads: &threads)
        var position = 0
        while !matched, position < input.count {
            threads.advance()
            matched = try step(program: 0, consuming: position, landingAt: position + 1, threads: &threads)
            if !matched {
                matched = try addThread(0, program: 0, at: position + 1, toNext: true, threads: &threads)
            }
            threads.swapLists()
            position += 1
        }
        return matched
    }

    /// The table of lookahead body `body`: one backward pass of its reversed program over the whole input.
    private mutating func lookaheadTable(_ body: Int) throws(WorkBudgetError) -> [UInt64] {
        var table = [UInt64](repeating: 0, count: input.count / 64 + 1)
        var threads = ThreadLists(size: program.programs[body].count)
        var position = input.count
        if try addThread(0, program: body, at: position, toNext: false, threads: &threads) {
            table[position >> 6] |= 1 << UInt64(position & 63)
        }
        while position > 0 {
            threads.advance()
            var accepted = try step(program: body, consuming: position - 1, landingAt: position - 1, threads: &threads)
            if try addThread(0, program: body, at: position - 1, toNext: true, threads: &threads) {
                accepted = true
            }
            threads.swapLists()
            position -= 1
            if accepted { table[position >> 6] |= 1 << UInt64(position & 63) }
        }
        return table
    }

    /// Moves the threads of `threads.current` that accept `input[index]` to `threads.next`, at `landing`;
    /// whether one of them reached `match`.
    private mutating func step(
        program index: Int, consuming inputIndex: Int, landingAt landing: Int,
        threads: inout ThreadLists
    ) throws(WorkBudgetError) -> Bool {
        let scalar = input[inputIndex]
        var matched = false
        try meter.count(threads.current.count)
        for pc in threads.current {
            let consumes: Bool
            switch program.programs[index][pc] {
            case .literal(let expected): consumes = scalar == expected
            case .characterClass(let characterClass): consumes = characterClass.matches(scalar)
            default: consumes = false
            }
            if consumes, try addThread(pc + 1, program: index, at: landing, toNext: true, threads: &threads) {
                matched = true
            }
        }
        return matched
    }

    /// Adds the thread at `start` and everything reachable from it without consuming input, at `position`, to
    /// the next list (or the current one, for the first position); whether `match` is among them.
    private mutating func addThread(
        _ start: Int, program index: Int, at position: Int, toNext: Bool, threads: inout ThreadLists
    ) throws(WorkBudgetError) -> Bool {
        var matched = false
        var visited = 0
        threads.stack.append(start)
        while let pc = threads.stack.popLast() {
            if threads.marks[pc] == threads.generation { continue }
            threads.marks[pc] = threads.generation
            visited += 1
            switch program.programs[index][pc] {
            case .jump(let target): threads.stack.append(target)
            case .split(let first, let second):
                threads.stack.append(second)
                threads.stack.append(first)
            case .assertion(let assertion):
                if holds(assertion, at: position) { threads.stack.append(pc + 1) }
            case .lookahead(let body, let negated):
                let bit = tables[body - 1][position >> 6] >> UInt64(position & 63) & 1
                if (bit == 1) != negated { threads.stack.append(pc + 1) }
            case .match: matched = true
            case .literal, .characterClass:
                if toNext { threads.next.append(pc) } else { threads.current.append(pc) }
            }
        }
        try meter.count(visited)
        return matched
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

/// The thread lists of one pass: threads at the current position, those at the next, and the marks that keep
/// each instruction to one thread per position.
private struct ThreadLists {
    var current: [Int] = []
    var next: [Int] = []
    var stack: [Int] = []
    var marks: [Int]
    var generation = 0

    init(size: Int) {
        marks = [Int](repeating: -1, count: size)
        current.reserveCapacity(size)
        next.reserveCapacity(size)
    }

    /// Starts a new position: `next` empties and marks from earlier positions no longer count.
    mutating func advance() {
        generation += 1
        next.removeAll(keepingCapacity: true)
    }

    mutating func swapLists() { swap(&current, &next) }
}
