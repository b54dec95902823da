import Foundation
import Testing

@testable import Inlet

/// Every case of the hostile corpus gives the expected answer, and doubling its payload at most about doubles
/// the steps counted: evaluation is linear in the payload whatever the tenant's patterns.
@Suite struct HostileCorpusTests {
    @Test func corpusIsLoaded() {
        #expect(HostileCorpus.cases.count >= 16)
    }

    @Test(arguments: HostileCorpus.cases)
    func stepsGrowLinearly(_ hostile: HostileCase) throws {
        let single = try hostile.evaluate(scale: 1)
        let double = try hostile.evaluate(scale: 2)
        #expect(single.answer == hostile.expected)
        #expect(double.answer == hostile.expected)
        let ratio = Double(double.steps) / Double(single.steps)
        print("hostile corpus: \(hostile.name): \(single.steps) steps at N, \(double.steps) at 2N (×\(ratio))")
        #expect(ratio < 2.5, "steps \(single.steps) at N, \(double.steps) at 2N")
    }

    @Test(arguments: HostileCorpus.cases)
    func scanningFilterPathCountsTheSameWork(_ hostile: HostileCase) throws {
        guard case .filter(let pattern) = hostile.subject else { return }
        let set = CompiledFilterSet([(id: 0, pattern: try FilterPattern(pattern))])
        let text = Array(hostile.payload(scale: 2).serialized().utf8)
        let budget = WorkBudget(steps: .max)
        let matched = try set.matches(json: text, budget: budget)
        #expect(matched.isEmpty != hostile.expected)
        let tree = try hostile.evaluate(scale: 2)
        // The scan adds one step per 16 bytes of text to what the tree path counts.
        #expect(budget.used == tree.steps + text.count / 16)
    }
}
