#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 address, classified for the SSRF guard: delivery targets must be public addresses unless
/// private targets are explicitly allowed.
public enum NetworkAddress: Sendable, Hashable, CustomStringConvertible {
    case v4(UInt32)
    case v6([UInt8])

    /// Parses the textual forms `inet_pton` accepts (`10.0.0.1`, `::1`, `[::1]` with brackets stripped).
    public init?(_ text: String) {
        var host = text
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            self = .v4(UInt32(bigEndian: v4.s_addr))
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            self = .v6(withUnsafeBytes(of: &v6) { Array($0) })
            return
        }
        return nil
    }

    public var description: String {
        switch self {
        case .v4(let value):
            return [24, 16, 8, 0].map { String((value >> UInt32($0)) & 0xFF) }.joined(separator: ".")
        case .v6(let bytes):
            return stride(from: 0, to: 16, by: 2).map {
                String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16)
            }
            .joined(separator: ":")
        }
    }

    /// Whether the address is routable on the public internet: not loopback, private (RFC 1918, ULA),
    /// link-local, carrier-grade NAT, unspecified, multicast, reserved, or an IPv4 such address mapped into IPv6.
    public var isPublic: Bool {
        switch self {
        case .v4(let address):
            let blocked: [(UInt32, UInt32)] = [
                (0x0000_0000, 8), (0x0A00_0000, 8), (0x6440_0000, 10), (0x7F00_0000, 8), (0xA9FE_0000, 16),
                (0xAC10_0000, 12), (0xC000_0000, 24), (0xC000_0200, 24), (0xC0A8_0000, 16), (0xC612_0000, 15),
                (0xC633_6400, 24), (0xCB00_7100, 24), (0xE000_0000, 4), (0xF000_0000, 4),
            ]
            return !blocked.contains { network, bits in address >> (32 - bits) == network >> (32 - bits) }
        case .v6(let bytes):
            if bytes[0..<10].allSatisfy({ $0 == 0 }) {
                let tail =
                    UInt32(bytes[12]) << 24 | UInt32(bytes[13]) << 16 | UInt32(bytes[14]) << 8 | UInt32(bytes[15])
                if bytes[10] == 0xFF, bytes[11] == 0xFF { return NetworkAddress.v4(tail).isPublic }  // ::ffff:a.b.c.d
                if bytes[10] == 0, bytes[11] == 0 { return false }  // ::, ::1, deprecated IPv4-compatible
            }
            if bytes[0..<12] == [0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0][...] {  // 64:ff9b::/96 NAT64
                let tail =
                    UInt32(bytes[12]) << 24 | UInt32(bytes[13]) << 16 | UInt32(bytes[14]) << 8 | UInt32(bytes[15])
                return NetworkAddress.v4(tail).isPublic
            }
            if bytes[0] & 0xFE == 0xFC { return false }  // fc00::/7 unique local
            if bytes[0] == 0xFE, bytes[1] & 0xC0 == 0x80 { return false }  // fe80::/10 link-local
            if bytes[0] == 0xFF { return false }  // multicast
            if bytes[0] == 0x20, bytes[1] == 0x01, bytes[2] == 0x0D, bytes[3] == 0xB8 { return false }  // documentation
            return true
        }
    }
}
