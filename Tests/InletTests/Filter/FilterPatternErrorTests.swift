import Testing

@testable import Inlet

@Suite struct FilterPatternErrorTests {
    private func error(_ pattern: JSONValue, limits: FilterPatternLimits = .default) -> FilterPatternError? {
        do {
            _ = try FilterPattern(pattern, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test(
        arguments: [
            (["detail": ["amount": [["numeric": [">", "5"]]]]], "/detail/amount/0/numeric/1", "number"),
            (["detail": ["amount": [["numeric": [">", 6, "<", 5]]]]], "/detail/amount/0/numeric/3", "empty"),
            (["detail": ["amount": [["numeric": ["≥", 5]]]]], "/detail/amount/0/numeric/0", "operator"),
            (["a": "x"], "/a", "leaf array"),
            (["a": []], "/a", "empty"),
            (["a": ["b": [:]]], "/a/b", "empty"),
            (["a": ["x", ["y"]]], "/a/1", "array"),
            (["a": [["Prefix": "x"]]], "/a/0/Prefix", "unknown matcher"),
            (["a": [["prefix": "x", "suffix": "y"]]], "/a/0", "exactly one key"),
            (["a": [["wildcard": "a**b"]]], "/a/0/wildcard", "consecutive"),
            (["a": [["cidr": "10.0.0.0/32"]]], "/a/0/cidr", "cidr"),
            (["a": [["anything-but": ["x", 1]]]], "/a/0/anything-but/1", "all strings or all numbers"),
            (["a": [["anything-but": ["prefix": ""]]]], "/a/0/anything-but/prefix", "empty"),
            (["a": [["anything-but": ["exists": true]]]], "/a/0/anything-but/exists", "not \"exists\""),
            (["a": [["exists": 1]]], "/a/0/exists", "true or false"),
            (["$or": [["a": ["x"]]]], "/$or", "at least two"),
            (["$or": [["a": ["x"]], ["prefix": ["y"]]]], "/$or/1/prefix", "inside $or"),
            (["$headers": ["X-Event": ["push"]]], "/$headers/X-Event", "lower case"),
            ([], "", "JSON object"),
        ] as [(JSONValue, String, String)])
    func rejectsWithThePathOfTheOffendingPart(pattern: JSONValue, path: String, message: String) throws {
        let failure = try #require(error(pattern))
        #expect(failure.path == path)
        #expect(failure.message.contains(message), "\(failure.message)")
    }

    @Test func enforcesSizeLimits() throws {
        var deep: JSONValue = ["x": ["v"]]
        for _ in 0..<40 { deep = ["n": deep] }
        let tooDeep = try #require(error(deep))
        #expect(tooDeep.message.contains("deeper than 32"))

        let wide = JSONValue.object(JSONObject((0..<101).map { (key: "k\($0)", value: ["v"]) }))
        let tooWide = try #require(error(wide, limits: FilterPatternLimits(maxConditions: 100)))
        #expect(tooWide.message.contains("more than 100 conditions"))

        let alternatives = JSONValue.object(
            JSONObject((0..<11).map { (key: "g\($0)", value: ["$or": [["a": ["x"]], ["b": ["y"]]]]) }))
        let tooManyAlternatives = try #require(error(alternatives))
        #expect(tooManyAlternatives.message.contains("more than 1024 alternatives"))
    }
}
