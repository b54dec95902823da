/// One instruction of a compiled regex, run by ``RegexMachine``.
enum RegexInstruction: Sendable {
    case literal(UInt32)
    case characterClass(RegexCharacterClass)
    case split(Int, Int)
    case jump(Int)
    case assertion(RegexAssertion)
    /// Runs sub-program `program` anchored at the current position; continues when it matches (or, if
    /// `negated`, when it does not).
    case lookahead(program: Int, negated: Bool)
    case match
}

/// A regex compiled to instructions for a Pike VM: the main program and the bodies of its lookaheads.
struct RegexProgram: Sendable {
    /// `programs[0]` is the pattern itself; the others are lookahead bodies.
    var programs: [[RegexInstruction]] = []

    /// Refuses patterns whose compiled form would exceed this many instructions (`(a{1000}){1000}`).
    static let maxInstructions = 20_000

    init(_ node: RegexNode) throws(RegexSyntaxError) {
        programs.append([])
        var builder = Builder(program: self)
        var main: [RegexInstruction] = []
        try builder.emit(node, into: &main)
        main.append(.match)
        builder.programs[0] = main
        programs = builder.programs
    }

    private struct Builder {
        var programs: [[RegexInstruction]]
        var total = 0

        init(program: RegexProgram) { programs = program.programs }

        mutating func emit(_ node: RegexNode, into code: inout [RegexInstruction]) throws(RegexSyntaxError) {
            total += 1
            guard total + code.count <= RegexProgram.maxInstructions else {
                throw RegexSyntaxError(message: "pattern is too large")
            }
            switch node {
            case .empty: break
            case .literal(let scalar): code.append(.literal(scalar))
            case .characterClass(let characterClass): code.append(.characterClass(characterClass))
            case .assertion(let assertion): code.append(.assertion(assertion))
            case .sequence(let nodes):
                for node in nodes { try emit(node, into: &code) }
            case .alternation(let branches):
                // split L1, next; L1: branch; jmp end; next: split …
                var jumps: [Int] = []
                for (offset, branch) in branches.enumerated() {
                    if offset < branches.count - 1 {
                        let split = code.count
                        code.append(.split(split + 1, -1))
                        try emit(branch, into: &code)
                        jumps.append(code.count)
                        code.append(.jump(-1))
                        code[split] = .split(split + 1, code.count)
                    } else {
                        try emit(branch, into: &code)
                    }
                }
                for jump in jumps { code[jump] = .jump(code.count) }
            case .repetition(let body, let minimum, let maximum):
                for _ in 0..<minimum { try emit(body, into: &code) }
                if let maximum {
                    // Nested optionals: (body (body …)?)?
                    var splits: [Int] = []
                    for _ in minimum..<maximum {
                        splits.append(code.count)
                        code.append(.split(code.count + 1, -1))
                        try emit(body, into: &code)
                    }
                    for split in splits { code[split] = .split(split + 1, code.count) }
                } else {
                    let split = code.count
                    code.append(.split(split + 1, -1))
                    try emit(body, into: &code)
                    code.append(.jump(split))
                    code[split] = .split(split + 1, code.count)
                }
            case .lookahead(let body, let negated):
                var sub: [RegexInstruction] = []
                try emit(body, into: &sub)
                sub.append(.match)
                total += sub.count
                programs.append(sub)
                code.append(.lookahead(program: programs.count - 1, negated: negated))
            }
        }
    }
}
