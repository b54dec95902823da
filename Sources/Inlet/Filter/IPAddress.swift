/// An IPv4 or IPv6 address parsed from its textual form, as exact-match strings and `cidr` compare them.
///
/// Accepted forms: IPv4 dotted quads (`10.0.0.1`, no leading zeros) and IPv6 with hex groups and at most one
/// `::` (any case). Embedded IPv4 (`::ffff:1.2.3.4`), zones and padding are not addresses.
struct IPAddress: Hashable, Sendable {
    let isIPv6: Bool
    /// The address bits, left-aligned in 128 bits: IPv4 uses the top 32 bits of `high`.
    let high: UInt64
    let low: UInt64

    init?(_ text: some StringProtocol) {
        var ipv4Parts = 0
        var sawColon = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") { ipv4Parts += 1 } else if byte == UInt8(ascii: ":") { sawColon = true }
        }
        if sawColon {
            guard ipv4Parts == 0, let (high, low) = Self.parseIPv6(text.utf8) else { return nil }
            self.isIPv6 = true
            self.high = high
            self.low = low
        } else {
            guard ipv4Parts == 3, let value = Self.parseIPv4(text.utf8) else { return nil }
            self.isIPv6 = false
            self.high = UInt64(value) << 32
            self.low = 0
        }
    }

    init(isIPv6: Bool, high: UInt64, low: UInt64) {
        self.isIPv6 = isIPv6
        self.high = high
        self.low = low
    }

    var bitCount: Int { isIPv6 ? 128 : 32 }

    private static func parseIPv4(_ bytes: some Collection<UInt8>) -> UInt32? {
        var result: UInt32 = 0
        var part: UInt32 = 0
        var digits = 0
        var parts = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard digits > 0 else { return nil }
                result = result << 8 | part
                part = 0
                digits = 0
                parts += 1
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                if digits == 1, part == 0 { return nil }  // leading zero: ambiguous (octal) form
                part = part * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                guard part <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, parts == 3 else { return nil }
        return result << 8 | part
    }

    private static func parseIPv6(_ bytes: some Collection<UInt8>) -> (UInt64, UInt64)? {
        var groups: [UInt16] = []
        groups.reserveCapacity(8)
        var gapIndex: Int?
        var current: UInt32 = 0
        var digits = 0
        var previousWasColon = false
        var index = bytes.startIndex
        // A leading "::" is the gap; a single leading ":" is malformed.
        if bytes.starts(with: [UInt8(ascii: ":"), UInt8(ascii: ":")]) {
            gapIndex = 0
            index = bytes.index(index, offsetBy: 2)
            if index == bytes.endIndex { return (0, 0) }
        } else if bytes.first == UInt8(ascii: ":") {
            return nil
        }
        while index != bytes.endIndex {
            let byte = bytes[index]
            index = bytes.index(after: index)
            if byte == UInt8(ascii: ":") {
                if previousWasColon {
                    guard gapIndex == nil else { return nil }
                    gapIndex = groups.count
                    continue
                }
                guard digits > 0 else { return nil }
                groups.append(UInt16(current))
                current = 0
                digits = 0
                previousWasColon = true
                continue
            }
            guard let value = hexDigitValue(byte), digits < 4 else { return nil }
            current = current << 4 | UInt32(value)
            digits += 1
            previousWasColon = false
        }
        if digits > 0 {
            groups.append(UInt16(current))
        } else if !(previousWasColon && gapIndex == groups.count) {
            return nil  // trailing single ":"
        }
        if let gapIndex {
            guard groups.count < 8 else { return nil }
            groups.insert(contentsOf: repeatElement(0, count: 8 - groups.count), at: gapIndex)
        }
        guard groups.count == 8 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for group in groups[0..<4] { high = high << 16 | UInt64(group) }
        for group in groups[4..<8] { low = low << 16 | UInt64(group) }
        return (high, low)
    }

}
