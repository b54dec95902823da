@testable import Inlet

/// A small seeded generator (SplitMix64), so property tests are reproducible.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random patterns and events over a tiny vocabulary, so that they often match and often nearly match.
struct RandomPatterns {
    var random: SeededRandom
    private let keys = ["a", "b", "c"]
    private let strings: [JSONValue] = ["x", "y", "xy", "X", "", "10.0.0.1", "2001:db8::1"]
    private let numbers: [JSONValue] = [1, 2, 2.5, -1, 0]

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    mutating func pattern() -> JSONValue { .object(patternObject(depth: 0, allowOr: true)) }

    mutating func event() -> JSONValue { .object(eventObject(depth: 0)) }

    private mutating func pick<T>(_ options: [T]) -> T { options[Int.random(in: 0..<options.count, using: &random)] }
    private mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }

    private mutating func patternObject(depth: Int, allowOr: Bool) -> JSONObject {
        var object = JSONObject()
        for key in keys where chance(45) || (object.isEmpty && key == keys.last) {
            if depth < 2, chance(35) {
                object[key] = .object(patternObject(depth: depth + 1, allowOr: allowOr))
            } else if chance(10) {
                object["\(key).\(pick(keys))"] = leaf()
            } else {
                object[key] = leaf()
            }
        }
        if allowOr, chance(20) {
            object["$or"] = .array([
                .object(patternObject(depth: depth + 1, allowOr: false)),
                .object(patternObject(depth: depth + 1, allowOr: false)),
            ])
        }
        return object
    }

    private mutating func leaf() -> JSONValue {
        .array((0..<Int.random(in: 1...2, using: &random)).map { _ in condition() })
    }

    private mutating func condition() -> JSONValue {
        switch Int.random(in: 0..<16, using: &random) {
        case 0, 1: pick(strings)
        case 2: pick(numbers)
        case 3: pick([true, false, nil])
        case 4: ["prefix": pick(["x", "", "10."])]
        case 5: ["suffix": pick(["y", "1"])]
        case 6: ["anything-but": pick(["x", ["x", "y"], [1, 2]])]
        case 7: ["numeric": pick([[">", 1], ["<=", 2], [">", 0, "<", 2.5], ["=", 2]])]
        case 8: ["exists": true]
        case 9: ["exists": false]
        case 10: ["equals-ignore-case": pick(["x", "XY"])]
        case 11: ["wildcard": pick(["x*", "*y", "*"])]
        case 12: ["cidr": pick(["10.0.0.0/8", "2001:db8::/32"])]
        case 13: ["exactly": pick(["x", "10.0.0.1"])]
        case 14: ["prefix": ["equals-ignore-case": "X"]]
        default: ["anything-but": ["prefix": "x"]]
        }
    }

    private mutating func eventObject(depth: Int) -> JSONObject {
        var object = JSONObject()
        for key in keys where chance(70) {
            object[key] = eventValue(depth: depth)
        }
        if chance(10) { object["\(pick(keys)).\(pick(keys))"] = scalar() }
        return object
    }

    private mutating func eventValue(depth: Int) -> JSONValue {
        switch Int.random(in: 0..<10, using: &random) {
        case 0...3: return scalar()
        case 4, 5: return .array((0..<Int.random(in: 0...3, using: &random)).map { _ in scalar() })
        case 6, 7: return depth < 3 ? .object(eventObject(depth: depth + 1)) : scalar()
        default:
            guard depth < 3 else { return scalar() }
            return .array(
                (0..<Int.random(in: 1...3, using: &random)).map { _ in .object(eventObject(depth: depth + 1)) })
        }
    }

    private mutating func scalar() -> JSONValue {
        chance(60) ? pick(strings) : chance(70) ? pick(numbers) : pick([true, false, nil])
    }
}
