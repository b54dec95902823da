import Testing

@testable import Inlet

/// The byte-level matcher (`matches(json:)`) against the tree path (`matches(JSONValue(parsing:))`), which the
/// other suites check against single-pattern evaluation and the reference cases.
@Suite struct ScanningMatchTests {
    /// What the tree path gives for a text: the ids, or the parse error.
    private static func treeResult<ID>(_ set: CompiledFilterSet<ID>, _ text: [UInt8], headers: [String: String] = [:])
        -> Result<[ID], JSONParseError>
    {
        Result { () throws(JSONParseError) in set.matches(try JSONValue(parsing: text), headers: headers) }
    }

    private static func scanResult<ID>(_ set: CompiledFilterSet<ID>, _ text: [UInt8], headers: [String: String] = [:])
        -> Result<[ID], JSONParseError>
    {
        Result { () throws(JSONParseError) in try set.matches(json: text, headers: headers) }
    }

    /// The byte path proper (no fallback), or `nil` when it hands the text to the tree parser.
    private static func scanOnly<ID>(_ set: CompiledFilterSet<ID>, _ text: [UInt8], headers: [String: String] = [:])
        -> [ID]?
    {
        text.withUnsafeBufferPointer { set.scanningMatches($0, headers: headers, limits: .default) }
    }

    @Test func agreesWithTheTreePathOnEveryReferenceCase() throws {
        var scanned = 0
        var considered = 0
        for testCase in FilterCase.checked {
            guard let event = testCase.event, let pattern = try? FilterPattern(testCase.pattern) else { continue }
            considered += 1
            let set = CompiledFilterSet([(id: testCase.name, pattern: pattern)])
            let text = event.serializedBytes()
            let expected = pattern.matches(event) ? [testCase.name] : []
            let fast = Self.scanOnly(set, text)
            #expect(fast == expected, "\(testCase.name): \(event)")
            #expect(try set.matches(json: text) == expected, "\(testCase.name)")
            if fast != nil { scanned += 1 }
        }
        #expect(considered > 2_500)
        #expect(scanned == considered, "every reference event is valid JSON without duplicate keys: none may fall back")
    }

    @Test func agreesWithTheTreePathForAllReferencePatternsTogether() throws {
        let valid = FilterCase.checked.filter(\.isValid)
        let set = CompiledFilterSet(
            try valid.enumerated().map { (id: $0.offset, pattern: try FilterPattern($0.element.pattern)) })
        for testCase in valid {
            let event = try #require(testCase.event)
            let text = event.serializedBytes()
            #expect(Self.scanOnly(set, text) == set.matches(event), "\(testCase.name)")
        }
    }

    @Test func agreesWithTheTreePathOnRandomTexts() throws {
        var patterns = RandomPatterns(seed: 7_2026_11_27)
        var texts = RandomEventTexts(seed: 11_27)
        var compared = 0
        var scanned = 0
        var matched = 0
        var rejected = 0
        for _ in 0..<120 {
            let set = CompiledFilterSet(
                try (0..<20).map { index in (id: index, pattern: try FilterPattern(patterns.pattern())) })
            for _ in 0..<12 {
                let text = texts.text()
                let headers = texts.headers()
                let expected = Self.treeResult(set, text, headers: headers)
                let actual = Self.scanResult(set, text, headers: headers)
                compared += 1
                switch (expected, actual) {
                case (.success(let expectedIDs), .success(let actualIDs)):
                    #expect(actualIDs == expectedIDs, "\(String(decoding: text, as: UTF8.self))")
                    if let fast = Self.scanOnly(set, text, headers: headers) {
                        scanned += 1
                        #expect(fast == expectedIDs, "\(String(decoding: text, as: UTF8.self))")
                    }
                    if !expectedIDs.isEmpty { matched += 1 }
                case (.failure(let expectedError), .failure(let actualError)):
                    #expect(actualError == expectedError)
                    #expect(Self.scanOnly(set, text, headers: headers) == nil, "the scan accepted an invalid text")
                    rejected += 1
                default:
                    Issue.record("tree \(expected) but scan \(actual) for \(String(decoding: text, as: UTF8.self))")
                }
            }
        }
        // The generator must exercise every outcome for the comparison to mean something.
        #expect(scanned > compared / 2, "most valid texts should take the byte path")
        #expect(matched > compared / 5)
        #expect(rejected > compared / 20)
    }

    @Test func failsCleanlyOnHostileInput() throws {
        let set = CompiledFilterSet([
            (id: 1, pattern: try FilterPattern(["a": [["prefix": "x"]], "b": [["numeric": [">", 0]]]])),
            (id: 2, pattern: try FilterPattern(["c": ["d": [["exists": true]]]])),
        ])
        let deepArrays = Array(repeating: UInt8(ascii: "["), count: 100_000)
        let deepObjects = Array(#"{"c":"#.utf8) + Array(repeating: Array(#"{"d":"#.utf8), count: 200).joined()
        let hostile: [[UInt8]] = [
            [], Array("   ".utf8), deepArrays, deepObjects,
            Array(#"{"a":"x","b":1e999999999999999999}"#.utf8),
            Array(#"{"a":"x","b":"#.utf8) + Array(repeating: UInt8(ascii: "9"), count: 100_000) + [UInt8(ascii: "}")],
            Array(#"{"a":"x\#u{1}"}"#.utf8), [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D],
            [0x7B, 0x22, 0x7A, 0x22, 0x3A, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x7D],  // surrogate, skipped field
            [0x7B, 0x22, 0x7A, 0x22, 0x3A, 0x22, 0xF4, 0x90, 0x80, 0x80, 0x22, 0x7D],  // beyond U+10FFFF
            Array(#"{"a":"\ud800"}"#.utf8), Array(#"{"z":"\udc00x"}"#.utf8), Array(#"{"z":"\ud800\u0041"}"#.utf8),
            Array(#"{"a":"x","a":"y"}"#.utf8), Array(#"{"z":1,"z":2,"b":1}"#.utf8),
            Array(#"{"a":"x",}"#.utf8), Array(#"{"a":"x"} x"#.utf8), Array(#"{"a":01}"#.utf8),
            Array(#"{"b":-}"#.utf8), Array(#"{"b":1.}"#.utf8), Array(#"{"b":1e}"#.utf8), Array(#"{"z":tru}"#.utf8),
            Array(#"{"a":"x","b":1"#.utf8), Array(#"{"a" "x"}"#.utf8), Array(#"{"a":"\x"}"#.utf8),
            Array(#"{"a":"\u12G4"}"#.utf8), Array(#"["a",]"#.utf8),
        ]
        var failures = 0
        for text in hostile {
            let expected = Self.treeResult(set, text)
            #expect(Self.scanResult(set, text) == expected, "\(text.prefix(80))")
            if case .failure = expected { failures += 1 }
        }
        #expect(failures == hostile.count - 2, "all but the two huge (valid) numbers are invalid JSON")
        // Deep but within the limits: the matcher stops looking at 128 levels, exactly as the tree path does.
        let nested =
            Array(repeating: Array(#"{"c":"#.utf8), count: 100).joined() + Array(#"{"d":1}"#.utf8)
            + Array(repeating: UInt8(ascii: "}"), count: 100)
        #expect(Self.scanResult(set, Array(nested)) == Self.treeResult(set, Array(nested)))
        let manyKeys = "{" + (0..<5_000).map { #""k\#($0)":\#($0)"# }.joined(separator: ",") + #","a":"xyz","b":2}"#
        #expect(try set.matches(json: Array(manyKeys.utf8)) == [1])
        #expect(Self.scanOnly(set, Array(manyKeys.utf8)) == [1])
    }

    @Test func validatesUTF8AsTheStandardLibraryDoes() {
        var random = SeededRandom(seed: 99)
        let interesting: [UInt8] = [
            0x00, 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1,
            0xF3, 0xF4, 0xF5, 0xFF, 0x9F, 0xA0, 0x8F, 0x90,
        ]
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0...6, using: &random)).map { _ in
                interesting[Int.random(in: 0..<interesting.count, using: &random)]
            }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            let actual = bytes.withUnsafeBufferPointer { buffer in
                isValidUTF8(buffer)
            }
            #expect(actual == expected, "\(bytes)")
        }
    }
}

/// Random event texts over the vocabulary of ``RandomPatterns``, written the many ways JSON allows: escapes
/// in keys and strings, unicode, white space, numbers in every form, dotted keys, arrays of objects, deep
/// nesting, duplicate keys, and now and then a corruption that makes the text invalid.
struct RandomEventTexts {
    var random: SeededRandom
    private let keys = ["a", "b", "c", "a.b", "b.c", "é", "", "a.", "zz"]
    private let strings = [
        "x", "y", "xy", "X", "", "10.0.0.1", "2001:db8::1", "é", "e\u{301}", "x\"y", "日本", "😀", "x\\", "\u{7}",
        "xx/yy", "10.0.0.01",
    ]
    private let numbers = [
        "1", "2", "2.5", "-1", "0", "-0", "1.0", "1e0", "10E-1", "0.1e1", "2.50", "25e-1", "1e400", "-1e400",
        "9007199254740993", "1E+0", "0.0000001", "5e-324", "1.7976931348623157e308", "123456789012345678901234567890",
        "-0.0", "3",
    ]

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    private mutating func pick<T>(_ options: [T]) -> T { options[Int.random(in: 0..<options.count, using: &random)] }
    private mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }

    mutating func headers() -> [String: String] {
        chance(20) ? [pick(["a", "X-Kind", "b"]): pick(strings)] : [:]
    }

    mutating func text() -> [UInt8] {
        var output: [UInt8] = []
        space(&output)
        if chance(3) {
            // Nesting near and beyond the limits (128 levels parsed; the matcher looks at most 128 deep).
            let depth = pick([126, 127, 128, 129, 140])
            for _ in 0..<depth { output += Array(#"{"a":"#.utf8) }
            string(pick(strings), &output)
            output += Array(repeating: UInt8(ascii: "}"), count: depth)
        } else {
            object(depth: 0, &output)
        }
        space(&output)
        if chance(6) { corrupt(&output) }
        return output
    }

    private mutating func space(_ output: inout [UInt8]) {
        if chance(15) { output += Array(pick([" ", "\n", "\t ", "\r\n  "]).utf8) }
    }

    private mutating func object(depth: Int, _ output: inout [UInt8]) {
        output.append(UInt8(ascii: "{"))
        var members: [String] = []
        for key in keys where chance(key.count == 1 ? 60 : 12) { members.append(key) }
        if chance(4), let first = members.first { members.append(first) }  // a duplicate key
        members.shuffle(using: &random)
        for (offset, key) in members.enumerated() {
            if offset > 0 { output.append(UInt8(ascii: ",")) }
            space(&output)
            string(key, &output)
            space(&output)
            output.append(UInt8(ascii: ":"))
            space(&output)
            value(depth: depth, &output)
            space(&output)
        }
        output.append(UInt8(ascii: "}"))
    }

    private mutating func value(depth: Int, _ output: inout [UInt8]) {
        switch Int.random(in: 0..<10, using: &random) {
        case 0...3: scalar(&output)
        case 4, 5:
            array(count: Int.random(in: 0...3, using: &random), &output) { generator, output in
                generator.scalar(&output)
            }
        case 6, 7:
            if depth < 3 { object(depth: depth + 1, &output) } else { scalar(&output) }
        default:
            guard depth < 3 else { return scalar(&output) }
            array(count: Int.random(in: 1...3, using: &random), &output) { generator, output in
                if generator.chance(20) {
                    generator.array(count: 2, &output) { generator, output in generator.scalar(&output) }
                } else {
                    generator.object(depth: depth + 1, &output)
                }
            }
        }
    }

    private mutating func array(
        count: Int, _ output: inout [UInt8], element: (inout RandomEventTexts, inout [UInt8]) -> Void
    ) {
        output.append(UInt8(ascii: "["))
        for offset in 0..<count {
            if offset > 0 { output.append(UInt8(ascii: ",")) }
            space(&output)
            element(&self, &output)
            space(&output)
        }
        output.append(UInt8(ascii: "]"))
    }

    private mutating func scalar(_ output: inout [UInt8]) {
        switch Int.random(in: 0..<10, using: &random) {
        case 0...4: string(pick(strings), &output)
        case 5...7: output += Array(pick(numbers).utf8)
        default: output += Array(pick(["true", "false", "null"]).utf8)
        }
    }

    /// Writes `text` as a JSON string, escaping characters at random (`\uXXXX`, surrogate pairs, short forms).
    private mutating func string(_ text: String, _ output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            let mustEscape = scalar == "\"" || scalar == "\\" || scalar.value < 0x20
            if mustEscape || chance(8) {
                if scalar == "\"" || scalar == "\\" || scalar == "/", chance(50) {
                    output += [UInt8(ascii: "\\"), UInt8(scalar.value)]
                } else if scalar.value > 0xFFFF {
                    let value = scalar.value - 0x10000
                    hexEscape(0xD800 + (value >> 10), &output)
                    hexEscape(0xDC00 + (value & 0x3FF), &output)
                } else {
                    hexEscape(scalar.value, &output)
                }
            } else {
                output += Array(String(scalar).utf8)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    private mutating func hexEscape(_ value: UInt32, _ output: inout [UInt8]) {
        var digits = String(value, radix: 16)
        if chance(50) { digits = digits.uppercased() }
        output += Array(("\\u" + String(repeating: "0", count: 4 - digits.count) + digits).utf8)
    }

    /// Makes the text (most likely) invalid: truncation, a stray byte, invalid UTF-8 or a broken escape.
    private mutating func corrupt(_ output: inout [UInt8]) {
        guard output.count > 2 else { return }
        let at = Int.random(in: 1..<output.count, using: &random)
        switch Int.random(in: 0..<5, using: &random) {
        case 0: output.removeSubrange(at...)
        case 1: output.insert(pick([UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "\""), 0x01]), at: at)
        case 2: output.insert(contentsOf: pick([[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xC0, 0xAF]]), at: at)
        case 3: output.insert(contentsOf: Array(pick([#"\"#, #"\u00"#, #"\ud800"#]).utf8), at: at)
        default: output[at] = pick([UInt8(ascii: "x"), UInt8(ascii: "0"), UInt8(ascii: "-")])
        }
    }
}

@Suite struct FilterNumberFastPathTests {
    /// The definition ``JSONNumber/isFilterComparable`` had before its allocation-free fast path.
    private static func slowComparable(_ number: JSONNumber) -> Bool {
        let decimal = number.decimal
        if decimal.digits.isEmpty { return true }
        if decimal.digits.count <= 15, decimal.exponent > -300, decimal.exponent < 300 { return true }
        return number.isExactDouble && number.double.magnitude != .leastNonzeroMagnitude
    }

    @Test func agreesWithTheExactDecimalDefinition() throws {
        var random = SeededRandom(seed: 5)
        let fixed = [
            "0", "-0", "0.0", "0e5", "1", "-1", "0.1", "1e-299", "1e-300", "1e299", "1e300", "123456789012345",
            "1234567890123456", "12345678901234567", "1.5e308", "1e400", "5e-324", "4.9e-324", "100000000000000000000",
            "0.000123456789012345", "9007199254740993", "9007199254740992", "1E+2", "10e-1", "-1.2345678901234e-5",
        ]
        var texts = fixed
        for _ in 0..<3_000 {
            let mantissa = (0..<Int.random(in: 1...20, using: &random)).map { _ in
                String(Int.random(in: 0...9, using: &random))
            }.joined()
            var text = Int.random(in: 0..<3, using: &random) == 0 ? "-" : ""
            text += mantissa.count > 1 && mantissa.first == "0" ? "1" + mantissa.dropFirst() : mantissa
            if Int.random(in: 0..<2, using: &random) == 0 {
                text += "." + String(Int.random(in: 0..<1_000_000, using: &random))
            }
            if Int.random(in: 0..<2, using: &random) == 0 {
                text += ["e", "E"][Int.random(in: 0..<2, using: &random)]
                text += ["", "+", "-"][Int.random(in: 0..<3, using: &random)]
                text += String(Int.random(in: 0...330, using: &random))
            }
            texts.append(text)
        }
        for text in texts {
            let number = try #require(JSONNumber(text: text), "\(text)")
            #expect(number.isFilterComparable == Self.slowComparable(number), "\(text)")
        }
    }
}
