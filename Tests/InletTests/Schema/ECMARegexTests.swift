import Testing

@testable import Inlet

@Suite struct ECMARegexTests {
    @Test(arguments: [
        ("a+", "xxaxx", true),
        ("^a+$", "xxaxx", false),
        ("^$", "", true),
        (#"^\d+$"#, "123", true),
        (#"^\d+$"#, "١٢٣", false),  // ECMA-262 \d is ASCII only
        (#"^\w+$"#, "héllo", false),
        (#"^\p{Letter}+$"#, "héllo", true),
        (#"^\P{L}+$"#, "123", true),
        (#"^[^a-c]$"#, "d", true),
        (#"^[\d-]+$"#, "12-3", true),
        (#"^(?=.*\d).{8,}$"#, "password1", true),
        (#"^(?=.*\d).{8,}$"#, "password", false),
        (#"^(?!admin$).*"#, "admin", false),
        (#"^a{2,3}$"#, "aaaa", false),
        (#"^a{2,3}$"#, "aaa", true),
        (#"^\u{1F600}$"#, "😀", true),
        (#"^\uD83D\uDE00$"#, "😀", true),
        (#"^.$"#, "😀", true),
        (#"^.$"#, "\n", false),
        (#"\bfoo\b"#, "a foo b", true),
        (#"\bfoo\b"#, "afoob", false),
        ("colou?r", "color", true),
        ("^(cat|dog)s?$", "dogs", true),
        ("x{", "x{", true),
    ])
    func matchesLikeECMAScript(pattern: String, input: String, expected: Bool) throws {
        #expect(try ECMARegex(pattern).matches(input) == expected)
    }

    @Test(arguments: ["(", "a)", "[a", "*a", "a**", #"\1"#, "(?<=a)b", #"\p{Nope}"#, "[z-a]", #"\e"#])
    func rejectsUnsupportedOrInvalidSyntax(pattern: String) {
        #expect(throws: RegexSyntaxError.self) { try ECMARegex(pattern) }
    }

    @Test func refusesPatternsThatCompileTooLarge() {
        #expect(throws: RegexSyntaxError.self) { try ECMARegex("(a{1000}){1000}") }
    }
}
