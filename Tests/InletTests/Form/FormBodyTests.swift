import Testing

@testable import Inlet

@Suite struct FormBodyTests {
    @Test func slackSlashCommandFieldsBecomeStrings() throws {
        let body = "token=x&team_id=T1&command=%2Fdeploy&text=api+now%21&response_url=https%3A%2F%2Fhooks.slack.com%2Fx"
        let payload = try FormBody.decode(Array(body.utf8))
        #expect(payload["command"] == "/deploy")
        #expect(payload["text"] == "api now!")
        #expect(payload["response_url"] == "https://hooks.slack.com/x")
        #expect(payload["team_id"] == "T1")
    }

    @Test func repeatedNamesBecomeArraysAndEmptyPairsAreSkipped() throws {
        let payload = try FormBody.decode(Array("a=1&&a=2&b&=x&a=%C3%A9".utf8))
        #expect(payload["a"] == ["1", "2", "é"])
        #expect(payload["b"] == "")
        #expect(payload.objectValue?.count == 2)
    }

    @Test(arguments: ["a=%", "a=%4", "a=%zz", "a=%C3", "%FF=1"])
    func malformedEscapesAndInvalidUTF8AreRefused(_ body: String) {
        #expect(throws: FormBodyError.self) { try FormBody.decode(Array(body.utf8)) }
    }

    @Test func theFieldCountIsBounded() {
        let body = (0...FormBody.maximumFields).map { "f\($0)=1" }.joined(separator: "&")
        #expect(throws: FormBodyError.self) { try FormBody.decode(Array(body.utf8)) }
    }

    @Test func decodingDrawsOnTheWorkBudget() {
        let body = Array(repeating: UInt8(ascii: "a"), count: 100_000)
        #expect(throws: WorkBudgetError.self) { try FormBody.decode(body, budget: WorkBudget(steps: 100)) }
    }
}
