/// Hexadecimal text for digests and keys, without Foundation.
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Lower-case hex, two characters per byte.
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var output: [UInt8] = []
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes of `text`, or `nil` unless it is an even number of hex digits.
    ///
    /// Signature headers are compared with the lower-case digest, so they decode with
    /// `allowingUpperCase: false`; keys typed by an operator may use either case.
    static func decode(_ text: some StringProtocol, allowingUpperCase: Bool = false) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 2 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(characters.count / 2)
        var index = 0
        while index < characters.count {
            guard let high = nibble(characters[index], allowingUpperCase),
                let low = nibble(characters[index + 1], allowingUpperCase)
            else { return nil }
            output.append(high << 4 | low)
            index += 2
        }
        return output
    }

    private static func nibble(_ character: UInt8, _ allowingUpperCase: Bool) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F") where allowingUpperCase: character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
