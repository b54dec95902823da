import Foundation
import Testing

@testable import Inlet

@Suite struct FilterPatternTests {
    @Test func matchesHeadersSeparatelyFromThePayload() throws {
        let pattern = try FilterPattern(["$headers": ["x-github-event": ["push"]], "ref": [["prefix": "refs/heads/"]]])
        let event: JSONValue = ["ref": "refs/heads/main"]
        #expect(pattern.matches(event, headers: ["x-github-event": "push"]))
        #expect(!pattern.matches(event, headers: ["x-github-event": "issues"]))
        #expect(!pattern.matches(event), "a header that was not recorded does not exist")
        #expect(!pattern.matches(["ref": "refs/heads/main", "$headers": ["x-github-event": "push"]]))
        #expect(pattern.matches(event, headers: ["X-GitHub-Event": "push"]), "names are compared in lower case")
    }

    @Test func headerLeavesUseTheSameOperators() throws {
        let pattern = try FilterPattern([
            "$headers": ["x-event": [["anything-but": ["ping"]]], "x-id": [["exists": false]]]
        ])
        #expect(pattern.matches([:], headers: ["x-event": "push"]))
        #expect(!pattern.matches([:], headers: ["x-event": "ping"]))
        #expect(!pattern.matches([:], headers: ["x-event": "push", "x-id": "1"]))
        let either = try FilterPattern(["$or": [["$headers": ["x-event": ["push"]]], ["kind": ["push"]]]])
        #expect(either.matches(["kind": "push"]))
        #expect(either.matches([:], headers: ["x-event": "push"]))
        #expect(!either.matches([:]))
    }

    @Test func absenceDoesNotDependOnKeyOrder() throws {
        let forward = try FilterPattern(["a": ["b": ["x"], "c": [["exists": false]]]])
        let mirrored = try FilterPattern(["a": ["c": ["x"], "b": [["exists": false]]]])
        #expect(forward.matches(["a": [["b": "x"], ["c": 1]]]))
        #expect(mirrored.matches(["a": [["c": "x"], ["b": 1]]]))
        #expect(!forward.matches(["a": [["b": "x", "c": 1]]]))
    }

    @Test func explainsTheFirstFailingCondition() throws {
        let pattern = try FilterPattern(["detail": ["state": ["running"], "amount": [["numeric": [">", 100]]]]])
        let matched = pattern.explain(["detail": ["state": "running", "amount": 150]])
        #expect(matched == FilterExplanation(matched: true, failure: nil))

        let wrongValue = try #require(pattern.explain(["detail": ["state": "running", "amount": 50]]).failure)
        #expect(wrongValue.path == "detail.amount")
        #expect(wrongValue.patternPath == "/detail/amount")
        #expect(wrongValue.operator == "numeric")
        #expect(wrongValue.expected == [">", 100])
        #expect(wrongValue.actual == 50)

        let missing = try #require(pattern.explain(["detail": ["amount": 150]]).failure)
        #expect(missing.path == "detail.state")
        #expect(missing.operator == "equals")
        #expect(missing.expected == "running")
        #expect(missing.actual == nil)
    }

    @Test func explainsAbsenceHeadersAndArrayConsistency() throws {
        let absent = try FilterPattern(["$headers": ["x-retry": [["exists": false]]]])
        let retried = try #require(absent.explain([:], headers: ["x-retry": "1"]).failure)
        #expect(retried.path == "$headers.x-retry")
        #expect(retried.operator == "exists")
        #expect(retried.expected == false)
        #expect(retried.actual == "1")

        let people = try FilterPattern(["e": ["f": ["Anna"], "l": ["Jones"]]])
        let split = try #require(
            people.explain(["e": [["f": "Anna", "l": "Smith"], ["f": "Peter", "l": "Jones"]]]).failure)
        #expect(split.operator == "same-array-element")

        let anyOf = try FilterPattern(["kind": ["a", ["prefix": "b"]]])
        let failure = try #require(anyOf.explain(["kind": ["c", "d"]]).failure)
        #expect(failure.operator == "any-of")
        #expect(failure.expected == ["a", ["prefix": "b"]])
        #expect(failure.actual == ["c", "d"])
    }

    @Test func explanationEncodesAsJSON() throws {
        let pattern = try FilterPattern(["n": [["numeric": [">", 1.5]]]])
        let data = try JSONEncoder().encode(pattern.explain(["n": 1]))
        let decoded = try JSONValue(parsing: data)
        #expect(decoded["matched"] == false)
        #expect(decoded["failure"]?["expected"] == [">", 1.5])
        #expect(decoded["failure"]?["actual"] == 1)
        #expect(decoded["failure"]?["operator"] == "numeric")
    }
}
