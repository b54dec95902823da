import Testing

@testable import Inlet

/// Step counts of the regex machine and the wildcard matcher on inputs that are quadratic or exponential for
/// backtracking or re-scanning matchers: doubling the input must at most about double the steps.
@Suite struct LinearMatchingTests {
    @Test(arguments: [
        ("(?=.*x)", "a", false),
        ("(?!.*x)", "a", true),
        ("^(?:(?!.*x).)*$", "a", true),
        ("(?=(?=.*a).*(?!.*b)c)", "a", false),
        ("(?=a(?=a(?=a(?!x))))a+$", "a", true),
        ("^(a|a)*b$", "a", false),
        ("^(a+)+$", "a", true),
        ("(x+x+)+y", "x", false),
        (".*.*.*=.*", "a", false),
        (#"^(\w+\s?)*$"#, "a", true),
        ("(?=.*x)(?=.*y)(?=.*z)", "xy", false),
    ])
    func regexStepsGrowLinearly(pattern: String, unit: String, expected: Bool) throws {
        let regex = try ECMARegex(pattern)
        let single = regex.matchesCountingSteps(String(repeating: unit, count: 5000))
        let double = regex.matchesCountingSteps(String(repeating: unit, count: 10_000))
        #expect(single.matched == expected)
        #expect(double.matched == expected)
        let ratio = Double(double.steps) / Double(single.steps)
        print("regex \(pattern): \(single.steps) steps at 5,000 scalars, \(double.steps) at 10,000 (×\(ratio))")
        #expect(ratio < 2.5)
    }

    @Test func lookaheadCostsOnePassNotOnePerPosition() throws {
        // Before: an anchored sub-match from each of the n positions, each re-reading the rest of the input.
        let steps = try ECMARegex("(?=.*x)").matchesCountingSteps(String(repeating: "a", count: 10_000)).steps
        #expect(steps < 20 * 10_000)
    }

    @Test(arguments: [
        ("(?=a)a", "a", true), ("(?=a)b", "b", false), ("a(?=b)", "ab", true), ("a(?=b)", "ac", false),
        ("a(?!b)", "ab", false), ("a(?!b)", "a", true), ("(?=.*y)x", "xay", true), ("(?=.*y)x", "yx", false),
        ("^(?=.*\\d)(?=.*[a-z]).{4,}$", "ab1c", true), ("^(?=.*\\d)(?=.*[a-z]).{4,}$", "abcd", false),
        ("a(?=$)", "ba", true), ("a(?=$)", "ab", false), ("(?=\\bfoo\\b)", "a foo", true),
        ("(?=\\bfoo\\b)", "afoo", false), ("(?=a(?=b))ab", "ab", true), ("(?=a(?!b))a", "ab", false),
        ("(?=a(?!b))a", "ac", true), ("((?=a)a)+$", "aaa", true), ("((?=a).)+$", "aab", false),
        ("(?=(?:ab)+$)", "xabab", true), ("^(?!.*--)[a-z-]+$", "a-b", true), ("^(?!.*--)[a-z-]+$", "a--b", false),
        ("(?=)", "", true), ("(?!)", "abc", false), ("x(?=)", "x", true),
    ])
    func lookaheadsMatchLikeECMAScript(pattern: String, input: String, expected: Bool) throws {
        #expect(try ECMARegex(pattern).matches(input) == expected)
    }

    @Test func repeatedLookaheadBodiesShareOneTable() throws {
        #expect(throws: Never.self) { try ECMARegex("((?=\\S).){100}") }
        let distinct = (0..<40).map { "(?=.*\($0))" }.joined()
        let error = try #require(throws: RegexSyntaxError.self) { try ECMARegex(distinct) }
        #expect(error.message.contains("lookaheads"))
    }

    @Test(arguments: [
        ("*a*a*a*a*a*a*a*a*b*c", String(repeating: "a", count: 5000) + "c", false),
        ("*aaaaaaaaaaaaaaaaaaaaaaaaaaaaab*", String(repeating: "a", count: 5000), false),
        ("a*ab*b", "a" + String(repeating: "ab", count: 2500) + "b", true),
        ("*abcabd*", String(repeating: "abcab", count: 1000) + "abcabd", true),
    ])
    func wildcardStepsGrowLinearly(text: String, candidate: String, expected: Bool) throws {
        let pattern = try #require(WildcardPattern(text))
        var single = 0
        var double = 0
        #expect(pattern.matches(candidate, steps: &single) == expected)
        let doubled = String(candidate.prefix(candidate.utf8.count / 2)) + candidate
        _ = pattern.matches(doubled, steps: &double)
        print("wildcard \(text): \(single) steps at \(candidate.utf8.count) bytes, \(double) at \(doubled.utf8.count)")
        #expect(Double(double) / Double(single) < 2.5)
        // Every byte compared about once per segment occurrence: at most twice per byte.
        #expect(single <= 2 * candidate.utf8.count + text.utf8.count)
    }

    @Test(arguments: [
        ("a*b*c", "abc", true), ("a*b*c", "ac", false), ("*", "", true), ("a*", "abc", true), ("*c", "abc", true),
        ("a*a", "a", false), ("a*a", "aa", true), ("*ab*ab*", "abab", true), ("*ab*ab*", "aba", false),
        ("*aab*", "aaab", true), ("*abab*c", "abaababc", true), ("x\\*y", "x*y", true), ("x\\*y", "xay", false),
    ])
    func wildcardsMatchAsBefore(text: String, candidate: String, expected: Bool) throws {
        #expect(try #require(WildcardPattern(text)).matches(candidate) == expected)
    }

    @Test func uniqueItemsOnEqualWideObjectsIsLinearInTheKeys() throws {
        let schema = try JSONSchema(.object(JSONObject([(key: "uniqueItems", value: true)])))
        func steps(keys: Int) throws -> Int {
            let object = JSONValue.object(JSONObject((0..<keys).map { (key: "k\($0)", value: JSONValue.int(1)) }))
            let budget = WorkBudget(steps: .max)
            #expect(try !schema.isValid(.array([object, object]), budget: budget))
            return budget.used
        }
        let single = try steps(keys: 4000)
        let double = try steps(keys: 8000)
        #expect(Double(double) / Double(single) < 2.5)
    }
}
