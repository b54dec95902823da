/// One instruction of a compiled regex as the compiler emits it; ``RegexCode`` lowers it for ``RegexMachine``.
enum RegexInstruction: Sendable {
    case literal(UInt32)
    case characterClass(RegexCharacterClass)
    case split(Int, Int)
    case jump(Int)
    case assertion(RegexAssertion)
    /// Continues when lookahead `program` holds at the current position (or, if `negated`, when it does not),
    /// as read from the table ``RegexMachine`` computes for it before the main pass.
    case lookahead(program: Int, negated: Bool)
    case match
}

/// A regex compiled to instructions for a Pike VM: the main program and the bodies of its lookaheads.
///
/// A lookahead body is compiled *reversed* (sequences back to front), so that one backward pass over the input
/// finds every position where it holds (see ``RegexMachine``). Lookaheads nested in it stay position tests.
/// Bodies are numbered innermost first: a body refers only to bodies with smaller numbers.
struct RegexProgram: Sendable {
    /// Program 0 is the pattern itself; the others are reversed lookahead bodies.
    let code: RegexCode

    /// Refuses patterns whose compiled form would exceed this many instructions (`(a{1000}){1000}`).
    static let maxInstructions = 20_000
    /// Refuses patterns with more lookaheads than this: each costs one bit per input position while matching.
    static let maxLookarounds = 32

    /// The number of lookahead bodies.
    var lookaroundCount: Int { code.programCount - 1 }

    init(_ node: RegexNode) throws(RegexSyntaxError) {
        var builder = Builder()
        var main: [RegexInstruction] = []
        try builder.emit(node, into: &main)
        main.append(.match)
        builder.programs[0] = main
        code = RegexCode(builder.programs)
    }

    private struct Builder {
        var programs: [[RegexInstruction]] = [[]]
        var total = 0
        var bodies: [RegexNode: Int] = [:]

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
                // A body repeated by a quantifier is compiled (and its table computed) once.
                if let known = bodies[body] {
                    code.append(.lookahead(program: known, negated: negated))
                    break
                }
                var sub: [RegexInstruction] = []
                try emit(body.reversed, into: &sub)
                sub.append(.match)
                total += sub.count
                programs.append(sub)
                guard programs.count - 1 <= RegexProgram.maxLookarounds else {
                    throw RegexSyntaxError(message: "more than \(RegexProgram.maxLookarounds) distinct lookaheads")
                }
                bodies[body] = programs.count - 1
                code.append(.lookahead(program: programs.count - 1, negated: negated))
            }
        }
    }
}

extension RegexNode {
    /// The node matching the reversed strings: sequences run back to front. Assertions and lookaheads test a
    /// position, which reads the same in both directions.
    var reversed: RegexNode {
        switch self {
        case .sequence(let nodes): .sequence(nodes.reversed().map(\.reversed))
        case .alternation(let branches): .alternation(branches.map(\.reversed))
        case .repetition(let body, let minimum, let maximum): .repetition(body.reversed, min: minimum, max: maximum)
        case .empty, .literal, .characterClass, .assertion, .lookahead: self
        }
    }
}
