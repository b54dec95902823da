import Testing

@testable import Inlet

@Suite struct CompiledFilterSetTests {
    @Test func agreesWithSinglePatternMatchingOnRandomInput() throws {
        var generator = RandomPatterns(seed: 20_240_601)
        var matchedSome = 0
        for _ in 0..<150 {
            let patterns = try (0..<20).map { index in (id: index, pattern: try FilterPattern(generator.pattern())) }
            let set = CompiledFilterSet(patterns)
            for _ in 0..<8 {
                let event = generator.event()
                let expected = patterns.filter { $0.pattern.matches(event) }.map(\.id)
                let actual = set.matches(event)
                #expect(actual == expected, "event \(event)")
                if !expected.isEmpty { matchedSome += 1 }
            }
        }
        #expect(matchedSome > 200, "the generator should produce matches often enough to be meaningful")
    }

    @Test func agreesWithEveryReferenceCaseSingly() throws {
        for testCase in FilterCase.checked {
            guard let event = testCase.event, let pattern = try? FilterPattern(testCase.pattern) else { continue }
            let set = CompiledFilterSet([(id: testCase.name, pattern: pattern)])
            #expect(set.matches(event) == (pattern.matches(event) ? [testCase.name] : []), "\(testCase.name)")
        }
    }

    @Test func agreesWithAllReferencePatternsTogether() throws {
        let valid = FilterCase.checked.filter(\.isValid)
        let patterns = try valid.enumerated().map { (id: $0.offset, pattern: try FilterPattern($0.element.pattern)) }
        let set = CompiledFilterSet(patterns)
        // Every 16th event against all patterns keeps the debug-build run short while covering every family.
        for testCase in valid.enumerated().filter({ $0.offset % 16 == 0 }).map(\.element) {
            let event = try #require(testCase.event)
            let expected = patterns.filter { $0.pattern.matches(event) }.map(\.id)
            #expect(set.matches(event) == expected, "\(testCase.name)")
        }
    }

    @Test func findsTheOnePatternAmongTenThousandExactValues() throws {
        let patterns = try (0..<10_000).map { index in
            (id: index, pattern: try FilterPattern(["detail": ["order-id": [.string("order-\(index)")]]]))
        }
        let set = CompiledFilterSet(patterns)
        #expect(set.count == 10_000)
        #expect(set.matches(["detail": ["order-id": "order-4711", "other": 1]]) == [4711])
        #expect(set.matches(["detail": ["order-id": ["order-1", "order-9999"]]]) == [1, 9_999])
        #expect(set.matches(["detail": ["order-id": "order-10000"]]).isEmpty)
    }

    @Test func indexesPrefixesOnScalarBoundaries() throws {
        let set = CompiledFilterSet([
            (id: "é", pattern: try FilterPattern(["a": [["prefix": "é"]]])),
            (id: "empty", pattern: try FilterPattern(["a": [["prefix": ""]]])),
            (id: "ab", pattern: try FilterPattern(["a": [["prefix": "ab"]]])),
        ])
        #expect(set.matches(["a": "éa"]) == ["é", "empty"])
        #expect(set.matches(["a": "abc"]) == ["empty", "ab"])
        #expect(set.matches(["a": 5]).isEmpty)
    }
}
