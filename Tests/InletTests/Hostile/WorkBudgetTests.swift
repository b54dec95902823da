import Foundation
import Testing

@testable import Inlet

@Suite struct WorkBudgetTests {
    private let lookaheadSchema = try! JSONSchema(
        try! JSONValue(parsing: #"{"properties": {"s": {"pattern": "(?=.*x)"}}}"#))

    private func longString(_ count: Int) -> JSONValue {
        .object(JSONObject([(key: "s", value: .string(String(repeating: "a", count: count)))]))
    }

    @Test func overBudgetValidationStopsWithTheError() throws {
        let budget = WorkBudget(steps: 50_000)
        let error = try #require(throws: WorkBudgetError.self) {
            try lookaheadSchema.validate(longString(100_000), budget: budget)
        }
        #expect(error.code == .exhausted)
        #expect(error.message == "evaluating this event exceeded the work budget of 50000 steps")
        // Stopped at the first checkpoint past the limit, not at the end of the work.
        #expect(budget.used < 50_000 + 2 * WorkBudget.checkpointInterval)
    }

    @Test func withinBudgetValidationAnswersAsWithout() throws {
        let instance = longString(1000)
        let budget = WorkBudget()
        #expect(try lookaheadSchema.validate(instance, budget: budget) == lookaheadSchema.validate(instance))
        #expect(try lookaheadSchema.isValid(.object(JSONObject([(key: "s", value: "xa")])), budget: budget))
        #expect(budget.used > 0)
    }

    @Test func overBudgetFilterMatchingStopsOnBothPaths() throws {
        let pattern = try FilterPattern(try JSONValue(parsing: #"{"s": [{"wildcard": "*a*a*b"}]}"#))
        let set = CompiledFilterSet([(id: 1, pattern: pattern)])
        let event = longString(200_000)
        #expect(throws: WorkBudgetError.self) { try set.matches(event, budget: WorkBudget(steps: 1000)) }
        #expect(throws: WorkBudgetError.self) {
            try set.matches(json: Array(event.serialized().utf8), budget: WorkBudget(steps: 1000))
        }
        #expect(try set.matches(event, budget: WorkBudget()) == [])
    }

    @Test func oneBudgetIsSharedByValidationAndMatching() throws {
        let event = longString(20_000)
        let validation = WorkBudget(steps: .max)
        _ = try lookaheadSchema.isValid(event, budget: validation)
        let pattern = try FilterPattern(try JSONValue(parsing: #"{"s": [{"wildcard": "*a*b"}]}"#))
        let set = CompiledFilterSet([(id: 1, pattern: pattern)])
        let matching = WorkBudget(steps: .max)
        _ = try set.matches(event, budget: matching)

        // Enough for either alone but not for both: the second evaluation runs out.
        let shared = WorkBudget(steps: max(validation.used, matching.used) + 10)
        _ = try lookaheadSchema.isValid(event, budget: shared)
        #expect(throws: WorkBudgetError.self) { try set.matches(event, budget: shared) }
    }

    @Test func cancelledTaskStopsEarly() async throws {
        let schema = lookaheadSchema
        let event = longString(1_000_000)
        // The budget belongs to the task doing the work (it is not Sendable), as it would in a request handler.
        let task = Task { () -> (WorkBudgetError.Code?, Int) in
            withUnsafeCurrentTask { $0?.cancel() }
            let budget = WorkBudget(steps: .max)
            do {
                _ = try schema.validate(event, budget: budget)
                return (nil, budget.used)
            } catch {
                return ((error as? WorkBudgetError)?.code, budget.used)
            }
        }
        let (code, used) = await task.value
        #expect(code == .cancelled)
        // The first checkpoint stopped it: a full evaluation takes millions of steps.
        #expect(used <= 2 * WorkBudget.checkpointInterval)
    }

    @Test func cancellationFlagStopsEarly() throws {
        let budget = WorkBudget(steps: .max, isCancelled: { true })
        let error = try #require(throws: WorkBudgetError.self) {
            try lookaheadSchema.validate(longString(1_000_000), budget: budget)
        }
        #expect(error.code == .cancelled)
        #expect(budget.used <= 2 * WorkBudget.checkpointInterval)
    }

    /// A string field of almost 1 MiB against a typical text pattern, and 1 MiB of small objects checked item
    /// by item (docs/reliability.md lists the calibration).
    private let honestSchema = try! JSONSchema(
        try! JSONValue(
            parsing: #"""
                {"properties": {
                  "text": {"type": "string", "pattern": "^[\\p{L}\\p{N}\\s.,;:!?'\"()-]*$", "maxLength": 2000000},
                  "items": {"type": "array", "items": {"type": "object",
                    "required": ["id", "kind"], "properties": {"id": {"type": "integer", "minimum": 0},
                    "kind": {"enum": ["a", "b", "c"]}}}},
                  "unique": {"type": "array", "uniqueItems": true}
                }}
                """#))

    /// About 1 MiB of `{"id":n,"kind":"a"}` objects.
    private let honestItems = JSONValue.array(
        (0..<42_000).map { .object(JSONObject([(key: "id", value: .int(Int64($0))), (key: "kind", value: "a")])) })

    /// What a request with a schema costs: parsing the payload's text into a tree, then validating it.
    private func checkRequest(_ instance: JSONValue, budget: WorkBudget) throws -> Bool {
        let parsed = try JSONValue(parsing: instance.serializedBytes(), budget: budget)
        return try honestSchema.isValid(parsed, budget: budget)
    }

    @Test func defaultBudgetLetsHonestPayloadsThrough() throws {
        // A 1 MiB string against a pattern, and 15,000 small objects (~400 KiB) checked by `items`.
        let text = JSONValue.string(String(repeating: "Lorem ipsum dolor sit amet, consectetur. ", count: 25_000))
        for instance in [
            JSONValue.object(JSONObject([(key: "text", value: text)])),
            .object(JSONObject([(key: "items", value: .array(Array(honestItems.arrayValue!.prefix(15_000))))])),
        ] {
            let budget = WorkBudget()
            #expect(try checkRequest(instance, budget: budget))
            print("honest payload: \(budget.used) steps of \(budget.limit)")
            #expect(budget.used < WorkBudget.defaultSteps * 9 / 10)
        }
    }

    @Test func aMebibyteOfSmallObjectsWithASchemaExceedsTheDefault() throws {
        // Parsing 42,000 objects into a tree alone costs about what a request may take (docs/reliability.md).
        let instance = JSONValue.object(JSONObject([(key: "items", value: honestItems)]))
        let error = try #require(throws: WorkBudgetError.self) { try checkRequest(instance, budget: WorkBudget()) }
        #expect(error.code == .exhausted)
    }

    @Test func uniqueItemsOverTensOfThousandsOfObjectsExceedsTheDefault() throws {
        // Honest, but hashing 42,000 objects into one table costs more CPU than a request may take: refused
        // with work_budget_exceeded, as docs/reliability.md says.
        let instance = JSONValue.object(JSONObject([(key: "unique", value: honestItems)]))
        let error = try #require(throws: WorkBudgetError.self) {
            try honestSchema.isValid(instance, budget: WorkBudget())
        }
        #expect(error.code == .exhausted)
    }
}

/// The payload's parse (needed for a schema) draws on the request's budget, in proportion to its size.
@Suite struct ParseBudgetTests {
    static func object(members: Int) -> [UInt8] {
        Array(("{" + (0..<members).map { "\"k\($0)\": [\($0), \"v\"]" }.joined(separator: ",") + "}").utf8)
    }

    @Test func parseStepsGrowLinearlyWithMembers() throws {
        var used: [Int] = []
        for members in [1_000, 2_000, 4_000] {
            let budget = WorkBudget(steps: .max)
            _ = try JSONValue(parsing: Self.object(members: members), budget: budget)
            used.append(budget.used)
        }
        // Each member: its key, and three values (the array, the number, the string).
        #expect(used[0] > 1_000 * (JSONParser.stepsPerValue * 3 + JSONParser.stepsPerMember))
        for index in 1..<used.count {
            let ratio = Double(used[index]) / Double(used[index - 1])
            #expect(ratio > 1.9 && ratio < 2.1, "steps \(used)")
        }
    }

    @Test func aParseStopsWhenTheBudgetIsSpentNotAtItsEnd() throws {
        let text = Self.object(members: 40_000)
        let whole = WorkBudget(steps: .max)
        _ = try JSONValue(parsing: text, budget: whole)
        let budget = WorkBudget(steps: whole.used / 10)
        #expect(throws: WorkBudgetError.self) { try JSONValue(parsing: text, budget: budget) }
        // Charged every 256 values: the parse ran only a little past the budget, nowhere near its end.
        #expect(budget.used < whole.used / 5, "\(budget.used) of \(whole.used)")
    }

    @Test func aParseOverTheBudgetThrowsTheBudgetError() {
        let text = Self.object(members: 10_000)
        #expect(throws: WorkBudgetError.self) { try JSONValue(parsing: text, budget: WorkBudget(steps: 100_000)) }
        #expect(throws: Never.self) { try JSONValue(parsing: text, budget: WorkBudget(steps: 10_000_000)) }
    }
}
