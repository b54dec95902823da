import Testing

@testable import Inlet

@Suite struct ByteEncodingTests {
    @Test func base64RoundTripsEveryLength() {
        for length in 0..<70 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.encodeURLSafe([0xFB, 0xFF]) == "-_8")
    }

    @Test(arguments: ["Zm8", "Zm9=", "Zm==", "Z===", "Zm8=Zm8=", "Zm-v", "Zm_v", " Zm8=", "Zm8=\n", "Zg=a"])
    func base64RefusesNonCanonicalText(_ text: String) {
        #expect(Base64.decode(text) == nil)
    }

    @Test func hexIsLowerCaseUnlessAskedOtherwise() {
        #expect(Hex.encode([0x00, 0xAB, 0xFF]) == "00abff")
        #expect(Hex.decode("00abff") == [0x00, 0xAB, 0xFF])
        #expect(Hex.decode("00ABff") == nil)
        #expect(Hex.decode("00ABff", allowingUpperCase: true) == [0x00, 0xAB, 0xFF])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }

    @Test func constantTimeEquality() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(!ConstantTime.equals([1, 2], [1, 2, 0]))
        #expect(ConstantTime.equals([UInt8](), []))
    }
}
