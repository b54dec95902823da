import AsyncHTTPClient
import Inlet
import NIOPosix
import Synchronization

/// HTTP clients that connect to the address the SSRF guard checked, never to a fresh DNS answer.
///
/// AsyncHTTPClient resolves a URL's host itself when it connects, so checking a name's addresses and then handing
/// the URL to a client leaves a gap a rebinding DNS server can use (a public answer for the check, 127.0.0.1 for
/// the connection). AsyncHTTPClient's supported way to choose the address is `HTTPClient.Configuration.dnsOverride`:
/// with `[host: address]`, where `address` is an IP literal, the client opens its connection to `address` without
/// any lookup, while the request keeps its URL — so the `Host` header, the TLS SNI and the certificate check all
/// still use `host`. The override is a client-wide setting, so there is one client per (host, address) pair: made on
/// first use, kept (with its pooled connections) while deliveries use it, and shut down after `idleTimeout` unused.
/// URLs with a literal address need no override and share one client.
///
/// Pinned clients do not retry a failed connection inside an attempt (`retryConnectionEstablishment` off): the
/// handler then tries the next checked address at once, and Inlet's own backoff retries the attempt.
final class PinnedHTTPClients: Sendable {
    private struct Key: Hashable {
        let host: String
        let address: NetworkAddress
    }

    private struct Entry {
        let client: HTTPClient
        var inUse: Int
        var lastUsed: ContinuousClock.Instant
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var isShutDown = false
    }

    /// The client for URLs whose host is a literal address.
    let literalClient: HTTPClient
    private let configuration: HTTPClient.Configuration
    private let idleTimeout: Duration
    private let maximumIdleClients: Int
    private let state = Mutex(State())

    init(configuration: HTTPClient.Configuration, idleTimeout: Duration = .seconds(60), maximumIdleClients: Int = 256) {
        self.configuration = configuration
        self.idleTimeout = idleTimeout
        self.maximumIdleClients = maximumIdleClients
        self.literalClient = HTTPClient(
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }

    /// Runs `body` with a client whose connections to `host` go to `address` (and only there).
    func withClient<T>(host: String, address: NetworkAddress, _ body: (HTTPClient) async throws -> T) async throws -> T
    {
        if NetworkAddress(host) != nil { return try await body(literalClient) }
        let key = Key(host: host, address: address)
        let (client, expired) = try acquire(key)
        for old in expired { try? await old.shutdown() }
        defer { release(key) }
        return try await body(client)
    }

    /// Closes every client. Deliveries still running fail.
    func shutdown() async {
        let clients = state.withLock { state in
            state.isShutDown = true
            defer { state.entries.removeAll() }
            return state.entries.values.map(\.client)
        }
        for client in clients { try? await client.shutdown() }
        try? await literalClient.shutdown()
    }

    /// The client for `key`, made when missing, and the idle clients to shut down now.
    private func acquire(_ key: Key) throws -> (HTTPClient, [HTTPClient]) {
        try state.withLock { state in
            guard !state.isShutDown else { throw HTTPClientError.alreadyShutdown }
            let now = ContinuousClock.now
            var expired: [HTTPClient] = []
            var idle = state.entries.filter { $0.key != key && $0.value.inUse == 0 }
            for (idleKey, entry) in idle where now - entry.lastUsed > idleTimeout {
                expired.append(entry.client)
                state.entries[idleKey] = nil
                idle[idleKey] = nil
            }
            if idle.count > maximumIdleClients {
                for (idleKey, entry) in idle.sorted(by: { $0.value.lastUsed < $1.value.lastUsed })
                    .prefix(idle.count - maximumIdleClients)
                {
                    expired.append(entry.client)
                    state.entries[idleKey] = nil
                }
            }
            if var entry = state.entries[key] {
                entry.inUse += 1
                entry.lastUsed = now
                state.entries[key] = entry
                return (entry.client, expired)
            }
            var pinned = configuration
            pinned.dnsOverride = [key.host: key.address.description]
            pinned.connectionPool.retryConnectionEstablishment = false
            let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: pinned)
            state.entries[key] = Entry(client: client, inUse: 1, lastUsed: now)
            return (client, expired)
        }
    }

    private func release(_ key: Key) {
        state.withLock { state in
            state.entries[key]?.inUse -= 1
            state.entries[key]?.lastUsed = .now
        }
    }
}
