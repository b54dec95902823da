import Testing

@testable import Inlet

@Suite struct SecretKeyTests {
    static let keyBytes = (0..<32).map { UInt8($0 * 7 + 1) }

    @Test func parsesBase64AndHexOfTheSameKey() throws {
        let fromBase64 = try SecretKey(parsing: Base64.encode(Self.keyBytes))
        let fromHex = try SecretKey(parsing: Hex.encode(Self.keyBytes))
        let fromUpperHex = try SecretKey(parsing: "  " + Hex.encode(Self.keyBytes).uppercased() + "\n")
        for key in [fromBase64, fromHex, fromUpperHex] {
            #expect(key.unredactedBase64 == Base64.encode(Self.keyBytes))
        }
        // A key sealed with one form opens with the other.
        let sealed = try SecretBox(keys: [fromBase64]).seal(Array("s".utf8))
        #expect(try SecretBox(keys: [fromHex]).open(sealed) == Array("s".utf8))
    }

    @Test func generatedKeysRoundTripThroughTheirText() throws {
        let key = SecretKey.generate()
        let reparsed = try SecretKey(parsing: key.unredactedBase64)
        let sealed = try SecretBox(keys: [key]).seal(Array("x".utf8))
        #expect(try SecretBox(keys: [reparsed]).open(sealed) == Array("x".utf8))
        #expect(SecretKey.generate().unredactedBase64 != key.unredactedBase64)
    }

    @Test(arguments: [
        "", "   ", "not a key", Base64.encode([UInt8](repeating: 1, count: 16)),
        Base64.encode([UInt8](repeating: 1, count: 33)), String(repeating: "a", count: 63),
        String(repeating: "g", count: 64), String(repeating: "ab", count: 33),
        String(Base64.encode([UInt8](repeating: 1, count: 32)).dropLast()),
    ])
    func refusesAnythingButA32ByteKey(_ text: String) {
        #expect {
            try SecretKey(parsing: text)
        } throws: { error in
            guard let error = error as? SecretBoxError else { return false }
            return error.code == .invalidKey && !error.message.isEmpty
        }
    }

    @Test func rawBytesMustNumber32() {
        #expect(throws: SecretBoxError.self) { try SecretKey(bytes: [UInt8](repeating: 0, count: 31)) }
        #expect(throws: Never.self) { try SecretKey(bytes: [UInt8](repeating: 0, count: 32)) }
    }

    @Test func neverPrints() throws {
        let key = try SecretKey(bytes: Self.keyBytes)
        let box = try SecretBox(keys: [key])
        let base64 = Base64.encode(Self.keyBytes)
        for value in [key as Any, box as Any] {
            var dumped = ""
            dump(value, to: &dumped)
            for text in [String(describing: value), String(reflecting: value), dumped] {
                #expect(!text.contains(base64.prefix(8)), "\(text)")
                #expect(!text.contains(Hex.encode(Self.keyBytes.prefix(4))), "\(text)")
            }
        }
    }
}
