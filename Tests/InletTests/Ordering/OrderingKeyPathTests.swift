import Inlet
import Testing

@Suite struct OrderingKeyPathTests {
    @Test(
        arguments: [
            (#"{"customer": {"id": "c-1"}}"#, "c-1"),
            (#"{"customer": {"id": 42}}"#, "42"),
            (#"{"customer": {"id": 1.50}}"#, "1.50"),
            (#"{"customer.id": "dotted"}"#, "dotted"),
            (#"{"customer": {"id": null}}"#, nil),
            (#"{"customer": {"id": ["a"]}}"#, nil),
            (#"{"customer": {"id": ""}}"#, nil),
            (#"{"customer": "c-1"}"#, nil),
            (#"{}"#, nil),
            (#"[1]"#, nil),
        ] as [(String, String?)])
    func readsAStringOrNumberAtTheDottedPath(payload: String, key: String?) throws {
        let path = try OrderingKeyPath("customer.id")
        #expect(path.key(in: try JSONValue(parsing: payload)) == key)
    }

    @Test func aKeyOver256BytesIsNoKey() throws {
        let path = try OrderingKeyPath("k")
        #expect(path.key(in: ["k": .string(String(repeating: "x", count: 257))]) == nil)
        #expect(path.key(in: ["k": .string(String(repeating: "x", count: 256))])?.utf8.count == 256)
    }

    @Test(arguments: ["", ".a", "a.", "a..b", "$headers.x", String(repeating: "p", count: 257), "a\u{0}b"])
    func malformedPathsAreRefused(text: String) {
        #expect(throws: OrderingKeyPathError.self) { try OrderingKeyPath(text) }
    }

    @Test func keysAreOneTo256BytesWithoutNUL() {
        #expect(OrderingKey.problem(with: "customer-42") == nil)
        #expect(OrderingKey.problem(with: String(repeating: "é", count: 128)) == nil)
        #expect(OrderingKey.problem(with: String(repeating: "é", count: 129)) != nil)
        #expect(OrderingKey.problem(with: "") != nil)
        #expect(OrderingKey.problem(with: "a\u{0}") != nil)
    }
}
