import Inlet
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The delivery-time half of the SSRF guard: resolves a target's host and refuses it when any address it
/// resolves to is not public (loopback, private, link-local, …).
///
/// The HTTP client resolves the name again when it connects, so a DNS answer that changes in between is not
/// caught; the guard stops plain misconfiguration and names that point inside the network.
enum TargetAddressGuard {
    /// Why the host may not be delivered to, or `nil` when every address it resolves to is public.
    static func problem(withHost host: String, threadPool: NIOThreadPool) async -> String? {
        let addresses: [NetworkAddress]
        if let literal = NetworkAddress(host) {
            addresses = [literal]
        } else {
            do {
                addresses = try await threadPool.runIfActive { try resolve(host) }
            } catch let error as ResolutionError {
                return error.message
            } catch {
                return "could not resolve \(host): \(error)"
            }
        }
        if let blocked = addresses.first(where: { !$0.isPublic }) {
            return "refused to deliver to \(host): it resolves to the non-public address \(blocked) "
                + "(set INLET_ALLOW_PRIVATE_TARGETS=true to allow private targets)"
        }
        return nil
    }

    struct ResolutionError: Error {
        let message: String
    }

    /// Blocking: every address `getaddrinfo` gives for `host`.
    static func resolve(_ host: String) throws -> [NetworkAddress] {
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
            throw ResolutionError(message: "could not resolve \(host): \(String(cString: gai_strerror(status)))")
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
        guard !addresses.isEmpty else { throw ResolutionError(message: "\(host) has no addresses") }
        return addresses
    }
}
