import Testing

@testable import Inlet

/// The machine tests ASCII and two-byte scalars against bitmaps built from each class, and the rest against the
/// class itself: both routes must agree with ``RegexCharacterClass/matches(_:)`` on every scalar.
@Suite struct RegexCodeTests {
    /// Scalars around each route's edges, and a sample of the planes beyond.
    static let scalars: [UInt32] =
        Array(0..<0x900) + [0xD7FF, 0xE000, 0x2028, 0x3000, 0x4E2D, 0xFEFF, 0xFFFD, 0x1_0000, 0x1_F600, 0x10_FFFF]

    @Test(arguments: [
        ".", #"\w"#, #"\W"#, #"\d"#, #"\s"#, #"\S"#, "[a-zà-ÿ]", "[^a-zà-ÿ]", #"\p{L}"#, #"\P{L}"#, #"[\p{Lu}\d_]"#,
        #"[^\p{Lu}\s]"#, "[Ͱ-Ͽ]", "[߿-ࠀ]", #"\p{Emoji}"#,
    ])
    func classTablesAgreeWithTheClass(pattern: String) throws {
        let regex = try ECMARegex("^" + pattern + "$")
        let characterClass = try #require(Self.characterClass(of: pattern))
        for value in Self.scalars {
            let scalar = try #require(Unicode.Scalar(value) ?? Unicode.Scalar(0xFFFD))
            #expect(regex.matches(String(scalar)) == characterClass.matches(scalar.value), "U+\(scalar.value)")
        }
    }

    @Test func classesBeyondTheTableLimitUseTheSlowRoute() throws {
        // Distinct classes [à], [á], …: those past the limit have no table and must still match.
        let count = RegexCode.twoByteTableLimit + 8
        let classes = (0..<count).map { "[\(String(Unicode.Scalar(0xE0 + UInt32($0))!))]" }
        let regex = try ECMARegex("^" + classes.joined() + "$")
        let matching = String((0..<count).map { Character(Unicode.Scalar(0xE0 + UInt32($0))!) })
        #expect(regex.matches(matching))
        #expect(!regex.matches(String(matching.dropLast()) + "a"))
    }

    @Test func stepsAreThoseOfOneThreadPerInstructionAndPosition() throws {
        // `^[a-z]+$` compiles to 0 start, 1 class, 2 split, 3 class, 4 jump, 5 end, 6 match. At each of the n
        // positions the live class thread tests the scalar (1 step), its successor visits jump, split, class and
        // end (4; the first has no jump) and the unanchored restart visits start (1; none after the match).
        // Before the first position: start and class (2); at the last: match (1).
        let steps = try ECMARegex("^[a-z]+$").matchesCountingSteps(String(repeating: "a", count: 1000)).steps
        #expect(steps == 6 * 1000 + 1)
    }

    private static func characterClass(of pattern: String) -> RegexCharacterClass? {
        var parser = RegexParser(pattern)
        guard case .characterClass(let characterClass) = try? parser.parse() else { return nil }
        return characterClass
    }
}
