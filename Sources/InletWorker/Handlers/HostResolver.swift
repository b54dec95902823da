import Inlet
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Resolves the host names of delivery targets.
///
/// The `http` kind asks once per attempt, checks the answer (``TargetAddressGuard``) and connects to the address it
/// checked; nothing else resolves the name. Embedders and tests can supply their own (a fixed table, a resolver
/// that answers differently on each call); the default is ``SystemHostResolver``.
public protocol HostResolver: Sendable {
    /// Every address of `host`, in the order to prefer them; throws ``HostResolutionError`` when there are none.
    func addresses(of host: String) async throws -> [NetworkAddress]
}

/// Why a host name gave no address; the message names the host and the resolver's reason.
public struct HostResolutionError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The system resolver: `getaddrinfo` (hosts file, DNS, …), run on a thread pool since it blocks.
public struct SystemHostResolver: HostResolver {
    let threadPool: NIOThreadPool

    public init(threadPool: NIOThreadPool) {
        self.threadPool = threadPool
    }

    public func addresses(of host: String) async throws -> [NetworkAddress] {
        try await threadPool.runIfActive { try Self.resolve(host) }
    }

    /// Blocking: every address `getaddrinfo` gives for `host`, in its order (RFC 6724 preference).
    static func resolve(_ host: String) throws(HostResolutionError) -> [NetworkAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let list else {
            throw HostResolutionError("could not resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var addresses: [NetworkAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            if let socketAddress = current.pointee.ai_addr {
                switch Int32(socketAddress.pointee.sa_family) {
                case AF_INET:
                    let value = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                        UInt32(bigEndian: $0.pointee.sin_addr.s_addr)
                    }
                    addresses.append(.v4(value))
                case AF_INET6:
                    let bytes = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
                    }
                    addresses.append(.v6(bytes))
                default:
                    break
                }
            }
            entry = current.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw HostResolutionError("\(host) has no addresses") }
        return addresses
    }
}
