/// A Pike VM: simulates every thread of the program in lock step, so matching takes time linear in the input
/// times the program size, whatever the pattern.
///
/// Lookaheads keep that bound with the construction of Barrière and Pit-Claudel ("Linear Matching of JavaScript
/// Regular Expressions", PLDI 2024): before the main pass, each lookahead body (innermost first) runs once,
/// reversed, from the end of the input to its start, with a fresh thread added at every position; the body
/// holds at position `i` exactly when an accepting thread is live there. The main pass, and the passes of
/// enclosing lookaheads, then read those tables in constant time, instead of re-scanning the input from every
/// position where a lookahead is tried.
///
/// A step is one thread visiting one instruction at one position, or one thread testing one input scalar. The
/// inner loop works on raw memory that ``search(_:in:meter:)`` lays out once per match: instructions of plain
/// values (``RegexCode``), thread lists that are reused at every position, and no reference counting.
struct RegexMachine {
    private let code: UnsafePointer<RegexCode.Instruction>
    private let bounds: [Int]
    private let classes: UnsafeBufferPointer<RegexCharacterClass>
    /// See ``RegexCode/twoByteTables``.
    private let twoByteTables: UnsafeBufferPointer<UInt64>
    private let input: UnsafeBufferPointer<UInt32>
    /// Per lookahead body `b`, `words` words from `tables + (b - 1) * words`: bit `i` is set when the body
    /// matches from position `i`.
    private let tables: UnsafeMutablePointer<Int>
    private let words: Int
    /// Memory for the thread lists of a pass: see ``Threads``.
    private let memory: UnsafeMutablePointer<Int>
    private let size: Int

    /// Whether `program` matches anywhere in `input`, counting its steps on `meter`.
    static func search(_ program: RegexProgram, in input: UnsafeBufferPointer<UInt32>, meter: inout StepMeter)
        throws(WorkBudgetError) -> Bool
    {
        let code = program.code
        let size = code.largestProgram
        let words = input.count / 64 + 1
        let scratch = 5 * size + 2 + (code.programCount - 1) * words
        let result: Result<Bool, WorkBudgetError> = code.instructions.withUnsafeBufferPointer { instructions in
            code.classes.withUnsafeBufferPointer { classes in
                code.twoByteTables.withUnsafeBufferPointer { twoByteTables in
                    withUnsafeTemporaryAllocation(of: Int.self, capacity: scratch) { memory in
                        let machine = RegexMachine(
                            code: instructions.baseAddress!, bounds: code.bounds, classes: classes,
                            twoByteTables: twoByteTables, input: input, tables: memory.baseAddress! + 5 * size + 2,
                            words: words, memory: memory.baseAddress!, size: size)
                        return Result { () throws(WorkBudgetError) in
                            for body in 1..<code.programCount {
                                try machine.lookaheadTable(body, meter: &meter)
                            }
                            return try machine.run(meter: &meter)
                        }
                    }
                }
            }
        }
        return try result.get()
    }

    /// The thread lists of one pass, a local variable of the pass so that its counters stay in registers.
    private struct Threads {
        let program: UnsafePointer<RegexCode.Instruction>
        /// Threads (instruction indices) at the current position, and at the next one.
        var current: UnsafeMutablePointer<Int>
        var next: UnsafeMutablePointer<Int>
        var currentCount = 0
        var nextCount = 0
        let stack: UnsafeMutablePointer<Int>
        /// `marks[pc] == generation` when instruction `pc` already has its thread at the position being filled.
        let marks: UnsafeMutablePointer<Int>
        var generation = 0
        /// Steps taken at the current position.
        var steps = 0

        /// Starts a new position: the next list empties and marks from earlier positions no longer count.
        @inline(__always)
        mutating func advance() {
            generation &+= 1
            nextCount = 0
        }

        @inline(__always)
        mutating func swapLists() {
            let previous = current
            current = next
            next = previous
            currentCount = nextCount
        }
    }

    /// Empty thread lists for program `index`: no instruction is marked at any position yet.
    private func threads(_ index: Int) -> Threads {
        let count = bounds[index + 1] - bounds[index]
        let marks = memory + 4 * size + 2
        marks.initialize(repeating: -1, count: count)
        return Threads(
            program: code + bounds[index], current: memory, next: memory + size, stack: memory + 2 * size,
            marks: marks)
    }

    /// The unanchored forward pass of the main program; stops at the first match.
    private func run(meter: inout StepMeter) throws(WorkBudgetError) -> Bool {
        var threads = threads(0)
        var matched = addThread(0, at: 0, &threads)
        threads.swapLists()
        var position = 0
        while !matched, position < input.count {
            threads.advance()
            let scalar = input[position]
            threads.steps &+= threads.currentCount
            for index in 0..<threads.currentCount {
                let pc = threads.current[index]
                if consumes(threads.program + pc, scalar), addThread(pc &+ 1, at: position &+ 1, &threads) {
                    matched = true
                }
            }
            if !matched, addThread(0, at: position &+ 1, &threads) { matched = true }
            threads.swapLists()
            position &+= 1
            try meter.count(threads.steps)
            threads.steps = 0
        }
        try meter.count(threads.steps)
        return matched
    }

    /// Fills the table of lookahead body `body`: one backward pass of its reversed program over the whole input.
    private func lookaheadTable(_ body: Int, meter: inout StepMeter) throws(WorkBudgetError) {
        let table = tables + (body - 1) * words
        table.initialize(repeating: 0, count: words)
        var threads = threads(body)
        var position = input.count
        if addThread(0, at: position, &threads) { table[position >> 6] |= 1 << (position & 63) }
        threads.swapLists()
        while position > 0 {
            threads.advance()
            let scalar = input[position &- 1]
            threads.steps &+= threads.currentCount
            var accepted = false
            for index in 0..<threads.currentCount {
                let pc = threads.current[index]
                if consumes(threads.program + pc, scalar), addThread(pc &+ 1, at: position &- 1, &threads) {
                    accepted = true
                }
            }
            if addThread(0, at: position &- 1, &threads) { accepted = true }
            threads.swapLists()
            position &-= 1
            if accepted { table[position >> 6] |= 1 << (position & 63) }
            try meter.count(threads.steps)
            threads.steps = 0
        }
        try meter.count(threads.steps)
    }

    /// Whether the consuming instruction accepts `scalar`.
    @inline(__always)
    private func consumes(_ instruction: UnsafePointer<RegexCode.Instruction>, _ scalar: UInt32) -> Bool {
        if instruction.pointee.operation == .literal { return scalar == UInt32(bitPattern: instruction.pointee.first) }
        if scalar < 64 { return instruction.pointee.ascii >> UInt64(scalar) & 1 != 0 }
        if scalar < 128 { return instruction.pointee.asciiHigh >> UInt64(scalar &- 64) & 1 != 0 }
        let index = Int(instruction.pointee.first)
        if scalar < 0x800, index < RegexCode.twoByteTableLimit {
            let word = twoByteTables[index &* RegexCode.twoByteWords &+ Int(scalar >> 6)]
            return word >> UInt64(scalar & 63) & 1 != 0
        }
        return classes[index].matches(scalar)
    }

    /// Adds the thread at `start`, and everything reachable from it without consuming input, at `position`, to
    /// the next list; whether `match` is among them.
    @inline(__always)
    private func addThread(_ start: Int, at position: Int, _ threads: inout Threads) -> Bool {
        let marks = threads.marks
        let stack = threads.stack
        let generation = threads.generation
        guard marks[start] != generation else { return false }
        var matched = false
        var visited = 0
        var top = 1
        stack[0] = start
        while top > 0 {
            top &-= 1
            let pc = stack[top]
            if marks[pc] == generation { continue }
            marks[pc] = generation
            visited &+= 1
            let instruction = threads.program + pc
            switch instruction.pointee.operation {
            case .literal, .characterClass:
                threads.next[threads.nextCount] = pc
                threads.nextCount &+= 1
            case .jump:
                stack[top] = Int(instruction.pointee.first)
                top &+= 1
            case .split:
                stack[top] = Int(instruction.pointee.second)
                stack[top &+ 1] = Int(instruction.pointee.first)
                top &+= 2
            case .match:
                matched = true
            default:
                if holds(instruction, at: position) {
                    stack[top] = pc &+ 1
                    top &+= 1
                }
            }
        }
        threads.steps &+= visited
        return matched
    }

    /// Whether an assertion or lookahead holds at `position`.
    private func holds(_ instruction: UnsafePointer<RegexCode.Instruction>, at position: Int) -> Bool {
        switch instruction.pointee.operation {
        case .start: return position == 0
        case .end: return position == input.count
        case .wordBoundary, .notWordBoundary:
            let before = position > 0 && RegexCharacterClass.isWord(input[position - 1])
            let after = position < input.count && RegexCharacterClass.isWord(input[position])
            return (before != after) == (instruction.pointee.operation == .wordBoundary)
        case .lookahead, .negativeLookahead:
            let table = tables + (Int(instruction.pointee.first) - 1) * words
            let bit = table[position >> 6] >> (position & 63) & 1
            return (bit == 1) == (instruction.pointee.operation == .lookahead)
        default: return false
        }
    }
}
