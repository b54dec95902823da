import Testing

@testable import Inlet

@Suite struct FilterExplainBudgetTests {
    @Test func budgetedExplanationsAgreeWithTheUnbudgetedOnes() throws {
        let pattern = try FilterPattern(
            [
                "detail": ["amount": [["numeric": [">", 100]]], "kind": ["order"]],
                "$headers": ["x-shop-topic": ["paid"]],
            ])
        let event: JSONValue = ["detail": ["amount": 50, "kind": "order"]]
        let headers = ["x-shop-topic": "paid"]
        let explained = try pattern.explain(event, headers: headers, budget: WorkBudget())
        #expect(explained == pattern.explain(event, headers: headers))
        #expect(explained.failure?.path == "detail.amount")
        #expect(explained.failure?.operator == "numeric")
        #expect(explained.failure?.actual == 50)
        let matching: JSONValue = ["detail": ["amount": 150, "kind": "order"]]
        #expect(try pattern.explain(matching, headers: headers, budget: WorkBudget()).matched)
    }

    @Test func aHugeEventStopsOnTheBudget() throws {
        let pattern = try FilterPattern(["items": ["name": [["wildcard": "*x*y*z*"]]]])
        let items = (0..<20_000).map { _ in
            JSONValue.object(JSONObject([("name", .string(String(repeating: "a", count: 64)))]))
        }
        #expect(throws: WorkBudgetError.self) {
            try pattern.explain(["items": .array(items)], budget: WorkBudget(steps: 100_000))
        }
    }
}
