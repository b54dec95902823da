import Testing

@testable import Inlet

@Suite struct APITokenTests {
    @Test func generatedTokensHaveThePrefixAnd32RandomBytes() {
        let token = APIToken.generate()
        #expect(token.unredactedText.hasPrefix("inl_"))
        #expect(token.unredactedText.count == 4 + 43)
        #expect(token.hasValidFormat)
        #expect(Set((0..<100).map { _ in APIToken.generate() }).count == 100)
    }

    @Test(arguments: [
        "", "inl_", "inl_short", "Bearer inl_x", "xyz_" + String(repeating: "a", count: 43),
        "inl_" + String(repeating: "a", count: 42) + "=", "inl_" + String(repeating: "a", count: 44),
    ])
    func malformedTokensAreRecognised(_ text: String) {
        #expect(!APIToken(text).hasValidFormat)
    }

    @Test func hashIsSHA256OfTheText() throws {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        let expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        #expect(TokenHash.sha256Hex("abc") == expected)
        #expect(APIToken("abc").hash.hex == expected)
        #expect(TokenHash(hex: expected) == APIToken("abc").hash)
        #expect(try #require(TokenHash(bytes: APIToken("abc").hash.bytes)) == APIToken("abc").hash)
        #expect(TokenHash(hex: String(expected.dropLast(2))) == nil)
        #expect(TokenHash(hex: expected.uppercased()) == nil)
    }

    @Test func sameTokenSameHashDifferentTokenDifferentHash() {
        let token = APIToken.generate()
        #expect(APIToken(token.unredactedText).hash == token.hash)
        #expect(APIToken.generate().hash != token.hash)
    }

    @Test func neverPrints() {
        let token = APIToken.generate()
        var dumped = ""
        dump(token, to: &dumped)
        let secretPart = String(token.unredactedText.dropFirst(4).prefix(10))
        for text in [String(describing: token), String(reflecting: token), "\(token)", dumped] {
            #expect(!text.contains(secretPart), "\(text)")
        }
    }
}
