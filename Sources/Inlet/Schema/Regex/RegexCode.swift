/// The programs of a ``RegexProgram`` as ``RegexMachine`` runs them: every program's instructions in one array of
/// plain values, so that the inner loop reads them through a pointer without reference counting, and character
/// classes as a table with an inline bitmap of their ASCII members.
struct RegexCode: Sendable {
    enum Operation: UInt8, Sendable {
        case literal, characterClass, split, jump, start, end, wordBoundary, notWordBoundary, lookahead
        case negativeLookahead, match
    }

    /// One instruction; what `first` and `second` hold depends on the operation.
    struct Instruction: Sendable {
        var operation: Operation
        /// `literal`: the scalar; `characterClass`: its index in ``RegexCode/classes``; `split` and `jump`: the
        /// (first) target; `lookahead`: the body's program number.
        var first: Int32 = 0
        /// `split`: the second target.
        var second: Int32 = 0
        /// `characterClass`: bit `s` of `ascii` (scalars 0–63) or `asciiHigh` (64–127) is set when scalar `s` is a
        /// member, so that ASCII input needs no walk over the class's items.
        var ascii: UInt64 = 0
        var asciiHigh: UInt64 = 0
    }

    /// The instructions of all programs, main program first; jump targets count from their program's start.
    let instructions: [Instruction]
    /// Program `p` is `instructions[bounds[p]..<bounds[p + 1]]`.
    let bounds: [Int]
    /// The distinct character classes, for scalars beyond ASCII.
    let classes: [RegexCharacterClass]
    /// For the first ``twoByteTableLimit`` classes, `twoByteWords` words each: bit `s` set when scalar `s` below
    /// U+0800 (ASCII, Latin, Greek, Cyrillic, Hebrew, Arabic…) is a member, so that such text skips the class's
    /// items and Unicode property look-ups.
    let twoByteTables: [UInt64]

    /// Words in the table of one class: one bit per scalar below U+0800.
    static let twoByteWords = 0x800 / 64
    /// Classes beyond this many get no table (building one tests 2,048 scalars, and patterns may have thousands).
    static let twoByteTableLimit = 64

    init(_ programs: [[RegexInstruction]]) {
        var instructions: [Instruction] = []
        var bounds: [Int] = [0]
        var classes: [RegexCharacterClass] = []
        var twoByteTables: [UInt64] = []
        var lowered: [RegexCharacterClass: Instruction] = [:]
        for program in programs {
            for instruction in program {
                guard case .characterClass(let characterClass) = instruction else {
                    instructions.append(Self.lower(instruction))
                    continue
                }
                if let known = lowered[characterClass] {
                    instructions.append(known)
                    continue
                }
                var members = Instruction(operation: .characterClass, first: Int32(classes.count))
                for scalar in UInt32(0)..<64 where characterClass.matches(scalar) { members.ascii |= 1 << scalar }
                for scalar in UInt32(64)..<128 where characterClass.matches(scalar) {
                    members.asciiHigh |= 1 << (scalar - 64)
                }
                if classes.count < Self.twoByteTableLimit {
                    var table = [UInt64](repeating: 0, count: Self.twoByteWords)
                    for scalar in UInt32(0)..<0x800 where characterClass.matches(scalar) {
                        table[Int(scalar >> 6)] |= 1 << (scalar & 63)
                    }
                    twoByteTables += table
                }
                classes.append(characterClass)
                lowered[characterClass] = members
                instructions.append(members)
            }
            bounds.append(instructions.count)
        }
        self.instructions = instructions
        self.bounds = bounds
        self.classes = classes
        self.twoByteTables = twoByteTables
    }

    /// The number of programs: the main one and the lookahead bodies.
    var programCount: Int { bounds.count - 1 }

    /// The most instructions in one program.
    var largestProgram: Int { (0..<programCount).map { bounds[$0 + 1] - bounds[$0] }.max() ?? 0 }

    /// Every instruction but a character class.
    private static func lower(_ instruction: RegexInstruction) -> Instruction {
        switch instruction {
        case .literal(let scalar): return Instruction(operation: .literal, first: Int32(bitPattern: scalar))
        case .characterClass: preconditionFailure("character classes are lowered with their tables")
        case .split(let first, let second):
            return Instruction(operation: .split, first: Int32(first), second: Int32(second))
        case .jump(let target): return Instruction(operation: .jump, first: Int32(target))
        case .assertion(.start): return Instruction(operation: .start)
        case .assertion(.end): return Instruction(operation: .end)
        case .assertion(.wordBoundary): return Instruction(operation: .wordBoundary)
        case .assertion(.notWordBoundary): return Instruction(operation: .notWordBoundary)
        case .lookahead(let body, let negated):
            return Instruction(operation: negated ? .negativeLookahead : .lookahead, first: Int32(body))
        case .match: return Instruction(operation: .match)
        }
    }
}
