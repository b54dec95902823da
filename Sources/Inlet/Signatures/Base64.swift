/// Strict RFC 4648 base64 for signatures and secrets, without Foundation.
///
/// Decoding accepts only the canonical text of some byte string: the standard alphabet (§4), `=` padding
/// to a multiple of four characters, and zero bits after the last byte. Anything else (the URL-safe
/// alphabet, missing padding, whitespace) is refused, so comparing decoded bytes is equivalent to
/// comparing the canonical text.
enum Base64 {
    private static let standardAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let urlAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Standard, padded base64 (RFC 4648 §4).
    static func encode(_ bytes: some Collection<UInt8>) -> String {
        encode(Array(bytes), alphabet: standardAlphabet, padded: true)
    }

    /// URL-safe base64 without padding (RFC 4648 §5), for tokens that appear in URLs and headers.
    static func encodeURLSafe(_ bytes: some Collection<UInt8>) -> String {
        encode(Array(bytes), alphabet: urlAlphabet, padded: false)
    }

    /// The bytes whose canonical standard base64 is exactly `text`, or `nil`.
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 4 == 0 else { return nil }
        let equalsSign = UInt8(ascii: "=")
        let lastIsPadding = characters.last == equalsSign
        let secondLastIsPadding = characters.count >= 2 && characters[characters.count - 2] == equalsSign
        if secondLastIsPadding && !lastIsPadding { return nil }
        let padding = lastIsPadding ? (secondLastIsPadding ? 2 : 1) : 0

        var output: [UInt8] = []
        output.reserveCapacity(characters.count / 4 * 3)
        var index = 0
        while index < characters.count {
            var values: [UInt32] = [0, 0, 0, 0]
            let isLastGroup = index + 4 == characters.count
            let dataCharacters = isLastGroup ? 4 - padding : 4
            for offset in 0..<4 {
                if offset < dataCharacters {
                    guard let value = sextet(characters[index + offset]) else { return nil }
                    values[offset] = value
                } else if characters[index + offset] != UInt8(ascii: "=") {
                    return nil
                }
            }
            let group = values[0] << 18 | values[1] << 12 | values[2] << 6 | values[3]
            output.append(UInt8(truncatingIfNeeded: group >> 16))
            if dataCharacters >= 3 { output.append(UInt8(truncatingIfNeeded: group >> 8)) }
            if dataCharacters == 4 { output.append(UInt8(truncatingIfNeeded: group)) }
            // Canonical form: the bits below the last whole byte must be zero.
            if dataCharacters == 2, group & 0xFFFF != 0 { return nil }
            if dataCharacters == 3, group & 0xFF != 0 { return nil }
            index += 4
        }
        return output
    }

    private static func sextet(_ character: UInt8) -> UInt32? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt32(character - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt32(character - UInt8(ascii: "a")) + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(character - UInt8(ascii: "0")) + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }

    private static func encode(_ bytes: [UInt8], alphabet: [UInt8], padded: Bool) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let remaining = min(3, bytes.count - index)
            var group = UInt32(bytes[index]) << 16
            if remaining > 1 { group |= UInt32(bytes[index + 1]) << 8 }
            if remaining > 2 { group |= UInt32(bytes[index + 2]) }
            for offset in 0..<4 {
                if offset <= remaining {
                    output.append(alphabet[Int((group >> (18 - 6 * UInt32(offset))) & 0x3F)])
                } else if padded {
                    output.append(UInt8(ascii: "="))
                }
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}
