/// A `cidr` block: an address family, a network and a prefix length. Host bits are ignored.
struct CIDRBlock: Hashable, Sendable {
    let network: IPAddress
    let prefixLength: Int

    /// Parses `addr/bits`; IPv4 takes 0–31 bits and IPv6 0–127, as the reference engine does.
    init?(_ text: String) {
        let parts = text.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPAddress(Substring(parts[0])) else { return nil }
        let bitsText = parts[1]
        guard !bitsText.isEmpty, bitsText.count <= 3,
            bitsText.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        let bits = bitsText.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard bits < address.bitCount else { return nil }
        self.prefixLength = bits
        self.network = Self.masked(address, bits)
    }

    func contains(_ address: IPAddress) -> Bool {
        address.isIPv6 == network.isIPv6 && Self.masked(address, prefixLength) == network
    }

    private static func masked(_ address: IPAddress, _ bits: Int) -> IPAddress {
        func mask(_ bitsInWord: Int) -> UInt64 {
            bitsInWord <= 0 ? 0 : bitsInWord >= 64 ? .max : ~(UInt64.max >> UInt64(bitsInWord))
        }
        return IPAddress(
            isIPv6: address.isIPv6, high: address.high & mask(bits), low: address.low & mask(bits - 64))
    }
}
