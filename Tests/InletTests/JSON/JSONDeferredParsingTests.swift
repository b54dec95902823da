import Foundation
import Inlet
import Testing

@testable import Inlet

/// `JSONValue.validate` and `JSONValue.parsingObject(_:deferring:)` check text exactly as the tree parser does:
/// the same texts accepted, the same error codes, and the deferred member's text where it was.
@Suite struct JSONDeferredParsingTests {
    static let malformed: [String] = [
        "", " ", "{", "[1,]", "01", "1.", "-", "\"\\x\"", "\"a\u{01}\"", "{\"a\":1,\"a\":2}", "\"\\ud800\"",
        "\"\\udc00\"", "NaN", "[1] x", "{\"a\" 1}", "{\"a\":}", "tru", "[\"\\u12\"]", "{\"k\":{\"x\":1,\"x\":1}}",
        String(repeating: "[", count: 70) + String(repeating: "]", count: 70),
    ]
    static let wellFormed: [String] = [
        "{}", " {\"a\": [1, 2.5e3, -0, true, false, null, \"\\u00e9\\ud83d\\ude00\\n\"]} ", "[]", "\"x\"", "0",
        "{\"a\":{\"b\":{\"c\":[{\"d\":1}]}}}", String(repeating: "[", count: 64) + String(repeating: "]", count: 64),
    ]
    static let limits = JSONParseLimits(maxDepth: 64, maxBytes: 1 << 20)

    @Test(arguments: malformed)
    func validateRejectsWhatTheParserRejects(text: String) {
        let bytes = Array(text.utf8)
        var expected: JSONParseError.Code?
        do { _ = try JSONValue(parsing: bytes, limits: Self.limits) } catch { expected = error.code }
        #expect(expected != nil)
        #expect(throws: JSONParseError.self) {
            _ = try bytes.withUnsafeBytes { try JSONValue.validate($0, limits: Self.limits) }
        }
        do {
            _ = try bytes.withUnsafeBytes { try JSONValue.validate($0, limits: Self.limits) }
        } catch {
            #expect((error as? JSONParseError)?.code == expected)
        }
    }

    @Test(arguments: wellFormed)
    func validateAcceptsWhatTheParserAccepts(text: String) throws {
        let bytes = Array(text.utf8)
        let parsed = try JSONValue(parsing: bytes, limits: Self.limits)
        let tree = try bytes.withUnsafeBytes { try JSONValue.validate($0, limits: Self.limits) }
        if let tree { #expect(tree == parsed) }
    }

    @Test func invalidUTF8IsRefusedWithoutATree() {
        for bytes: [UInt8] in [
            [0x22, 0xC3, 0x28, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],
        ] {
            #expect(throws: JSONParseError.self) { _ = try bytes.withUnsafeBytes { try JSONValue.validate($0) } }
            #expect(throws: JSONParseError.self) { try JSONValue(parsing: bytes) }
        }
    }

    @Test func theDeferredMemberIsLeftOutAndItsTextKept() throws {
        let text = #"{"source": "s", "payload" : {"a": [1, {"b": "\u00e9"}]} , "idempotency_key": "k"}"#
        let bytes = Array(text.utf8)
        let (object, member) = try bytes.withUnsafeBytes {
            try JSONValue.parsingObject($0, deferring: "payload", limits: Self.limits)
        }
        #expect(object == ["source": "s", "idempotency_key": "k"])
        let deferred = try #require(member)
        #expect(String(decoding: bytes[deferred.range], as: UTF8.self) == #"{"a": [1, {"b": "\u00e9"}]}"#)
        let payload = EventPayload(validatedText: Array(bytes[deferred.range]), parsed: deferred.value)
        #expect(try payload.value() == ["a": [1, ["b": "é"]]])
    }

    @Test func onlyTheTopLevelMemberIsDeferred() throws {
        let text = #"{"x": {"payload": 1}, "payload": [true]}"#
        let (object, member) = try Array(text.utf8).withUnsafeBytes {
            try JSONValue.parsingObject($0, deferring: "payload", limits: Self.limits)
        }
        #expect(object == ["x": ["payload": 1]])
        #expect(member?.range.count == 6)
    }

    @Test(arguments: [
        (#"{"payload": {"a": 1, "a": 2}}"#, JSONParseError.Code.duplicateKey),
        (#"{"payload": 1, "payload": 2}"#, .duplicateKey),
        (#"{"payload": [1,]}"#, .syntax),
        (#"{"payload": "\ud800"}"#, .invalidUTF8),
        (#"{"payload": {}"#, .syntax),
    ])
    func aBrokenDeferredMemberFailsAsTheParserFails(text: String, code: JSONParseError.Code) {
        do {
            _ = try Array(text.utf8).withUnsafeBytes {
                try JSONValue.parsingObject($0, deferring: "payload", limits: Self.limits)
            }
            Issue.record("accepted \(text)")
        } catch {
            #expect((error as? JSONParseError)?.code == code)
        }
    }

    @Test func aTextThatIsNotAnObjectIsParsedWhole() throws {
        let (value, member) = try Array("[1, 2]".utf8).withUnsafeBytes {
            try JSONValue.parsingObject($0, deferring: "payload", limits: Self.limits)
        }
        #expect(value == [1, 2])
        #expect(member == nil)
    }

    @Test func largeObjectsFindTheirDuplicatesAndKeepTheirKeys() throws {
        let members = (0..<1_000).map { "\"k\($0)\": \($0)" }
        let object = try JSONValue(parsing: "{" + members.joined(separator: ",") + "}")
        #expect(object.objectValue?.count == 1_000)
        #expect(object["k999"] == 999)
        #expect(throws: JSONParseError.self) {
            try JSONValue(parsing: "{" + (members + ["\"k500\": 0"]).joined(separator: ",") + "}")
        }
        let lenient = try JSONValue(
            parsing: "{" + (members + ["\"k500\": 0"]).joined(separator: ",") + "}",
            limits: JSONParseLimits(rejectDuplicateKeys: false))
        #expect(lenient["k500"] == 0)
        #expect(lenient.objectValue?.count == 1_000)
        #expect(lenient.objectValue?.keys[500] == "k500")
    }
}

@Suite struct EventPayloadTests {
    @Test(arguments: [
        (#"{"a": "x\u0000y"}"#, true), (#"{"\u0000": 1}"#, true), (#"{"a": "\\u0000"}"#, false),
        (#"{"a": "\\\u0000"}"#, true), (#"{"a": "u0000"}"#, false), (#"["\n", "\u00001"]"#, true), ("{}", false),
    ])
    func aNULIsFoundInTheTextAsInTheTree(text: String, expected: Bool) throws {
        let bytes = Array(text.utf8)
        #expect(EventPayload(validatedText: bytes).containsNULCharacter == expected, "\(text)")
        #expect(try JSONValue(parsing: bytes).containsNULCharacter == expected, "\(text)")
    }
}
