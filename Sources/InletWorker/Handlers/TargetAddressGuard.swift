import Inlet

/// The delivery-time half of the SSRF guard: decides which address a delivery connects to.
///
/// The host is resolved once, every address it resolves to must be public (not loopback, private, link-local, …)
/// unless private targets are allowed, and the delivery then connects to those checked addresses, in order, and to
/// no other (``PinnedHTTPClients``): the HTTP client never resolves the name again, so a DNS answer that changes
/// between the check and the connection (DNS rebinding) cannot redirect the delivery.
enum TargetAddressGuard {
    enum Decision: Sendable, Equatable {
        /// Connect to these addresses, the first that accepts a connection (the host itself when it is a literal).
        case connect([NetworkAddress])
        /// Do not deliver; the message is the attempt's error.
        case refuse(String)
    }

    /// Where to connect for `host` (a URL's host, brackets allowed around IPv6 literals).
    static func decide(host: String, resolver: any HostResolver, allowPrivateTargets: Bool) async -> Decision {
        let addresses: [NetworkAddress]
        if let literal = NetworkAddress(host) {
            addresses = [literal]
        } else {
            do {
                addresses = try await resolver.addresses(of: host)
            } catch let error as HostResolutionError {
                return .refuse(error.message)
            } catch {
                return .refuse("could not resolve \(host): \(error)")
            }
        }
        guard !addresses.isEmpty else { return .refuse("\(host) has no addresses") }
        if !allowPrivateTargets, let blocked = addresses.first(where: { !$0.isPublic }) {
            return .refuse(
                "refused to deliver to \(host): it resolves to the non-public address \(blocked) "
                    + "(set INLET_ALLOW_PRIVATE_TARGETS=true to allow private targets)")
        }
        return .connect(addresses)
    }
}
