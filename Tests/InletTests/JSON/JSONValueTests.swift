import Foundation
import Testing

@testable import Inlet

@Suite struct JSONValueTests {
    @Test func parsesAndSerializesKeepingKeyOrderAndNumberText() throws {
        let text =
            #"{"b":1,"a":[true,false,null,"x\n\u00e9\ud83d\ude00"],"n":1.50,"big":12345678901234567890,"e":1e999}"#
        let value = try JSONValue(parsing: text)
        #expect(value.objectValue?.keys == ["b", "a", "n", "big", "e"])
        #expect(value["n"]?.numberValue?.text == "1.50")
        #expect(value["big"]?.numberValue?.int64 == nil)
        #expect(value["big"]?.numberValue?.isInteger == true)
        #expect(value["e"]?.numberValue?.double == .infinity)
        #expect(value["a"]?.arrayValue?[3] == .string("x\né😀"))
        #expect(
            value.serialized()
                == #"{"b":1,"a":[true,false,null,"x\né😀"],"n":1.50,"big":12345678901234567890,"e":1e999}"#)
    }

    @Test func numbersCompareByExactValue() throws {
        func number(_ text: String) -> JSONNumber { JSONNumber(text: text)! }
        #expect(number("5") == number("5.0"))
        #expect(number("5") == number("50e-1"))
        #expect(number("0") == number("-0.0"))
        #expect(number("9007199254740993") != number("9007199254740992"))
        #expect(number("9007199254740992") < number("9007199254740993"))
        #expect(number("-2") < number("-1.5"))
        #expect(number("1e400") > number("1.7e308"))
        #expect(number("0.1").isExactDouble)
        #expect(!number("9007199254740993").isExactDouble)
        #expect(!number("1e309").isExactDouble)
        #expect(number("1.0").isInteger && number("1.0").int64 == 1)
        #expect(number("-9223372036854775808").int64 == Int64.min)
        #expect(number("9223372036854775808").int64 == nil)
        let lhs: JSONValue = ["a": 1, "b": 2]
        let rhs: JSONValue = ["b": 2.0, "a": 1]
        #expect(lhs == rhs)
    }

    @Test func equalNumbersHashAlikeWhateverTheirText() throws {
        // Plain integer text takes a fast path for comparisons and hashing; it must agree with the decimal one.
        let groups = [
            ["1200", "1.2e3", "1200.00", "12e2", "120000e-2"], ["0", "-0", "0.0", "-0e5"], ["-7", "-7.0", "-70e-1"],
            ["102", "1.02e2"], ["999999999999999999", "9.99999999999999999e17"],
            ["1000000000000000000", "1e18"], ["-5", "-5"],
        ]
        for group in groups {
            let numbers = group.map { JSONNumber(text: $0)! }
            for number in numbers {
                #expect(number == numbers[0], "\(number) == \(numbers[0])")
                #expect(number.hashValue == numbers[0].hashValue, "hash of \(number) and \(numbers[0])")
                #expect(number.isInteger)
            }
        }
        #expect(JSONNumber(text: "12")! < JSONNumber(text: "102")!)
        #expect(JSONNumber(text: "-12")! < JSONNumber(text: "-2")!)
        #expect(JSONNumber(text: "12")!.hashValue != JSONNumber(text: "21")!.hashValue)
        #expect(!JSONNumber(text: "1.5")!.isInteger)
        let items: [JSONValue] = [1, 1.0, "1", ["k": 1], ["k": 1.0]]
        #expect(Set(items).count == 3)
    }

    @Test(arguments: [
        ("", JSONParseError.Code.syntax),
        ("{", .syntax),
        ("[1,]", .syntax),
        ("01", .syntax),
        ("1.", .syntax),
        ("\"\\x\"", .syntax),
        ("\"a\u{01}\"", .syntax),
        ("{\"a\":1,\"a\":2}", .duplicateKey),
        ("\"\\ud800\"", .invalidUTF8),
        ("NaN", .syntax),
        ("[1] x", .syntax),
    ])
    func rejectsMalformedInput(text: String, code: JSONParseError.Code) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
        do {
            _ = try JSONValue(parsing: text)
        } catch {
            #expect(error.code == code)
        }
    }

    @Test func rejectsInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        #expect(throws: JSONParseError(code: .invalidUTF8, message: "string is not valid UTF-8", offset: 1)) {
            try JSONValue(parsing: bytes)
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: Never.self) { try JSONValue(parsing: fine) }
    }
}

@Suite struct JSONStringEqualityTests {
    @Test func stringsAndKeysCompareByCodePointsNotCanonicalEquivalence() throws {
        let composed = "\u{E9}"
        let decomposed = "e\u{301}"
        #expect(JSONValue.string(composed) != JSONValue.string(decomposed))
        let object = try JSONValue(parsing: "{\"\(composed)\": 1, \"\(decomposed)\": 2}")
        #expect(object.objectValue?.count == 2)
        #expect(object[composed] == 1)
        #expect(object[decomposed] == 2)
    }
}

@Suite struct UUIDv7Tests {
    @Test func idsOfOneProcessAreStrictlyIncreasing() {
        let ids = (0..<10_000).map { _ in UUID.v7().lowercasedString }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0[$0.index($0.startIndex, offsetBy: 14)] == "7" })
    }
}
