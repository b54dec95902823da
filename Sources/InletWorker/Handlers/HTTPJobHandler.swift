import AsyncHTTPClient
import Foundation
import Inlet
import InletStore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Tracing

/// The built-in `http` kind: sends the run envelope to the job's URL, signed with the Standard Webhooks scheme
/// under the job's secret, with the job's headers (stored sealed; opened here, never logged).
///
/// A 2xx answer is a success; any other status, no answer within `timeout_ms`, or a network error fails the
/// attempt. `Retry-After` on a 429 or 503 sets the next attempt's delay. Redirects are not followed (a 3xx is a
/// failed attempt), so a redirect cannot lead a delivery past the address check.
///
/// The host is resolved once per attempt by the ``HostResolver``; unless private targets are allowed, it is refused
/// when any address it resolves to is not public. The request then goes to a checked address and nowhere else
/// (``PinnedHTTPClients``), trying the next checked address when a connection cannot be opened.
///
/// As a `Service` the handler shuts its clients down after graceful shutdown; used without a service group, call
/// ``shutdown()``.
public final class HTTPJobHandler: JobHandler, Service {
    public static let userAgent = "Inlet/0.1 (+https://github.com/inlet)"

    let clients: PinnedHTTPClients
    let allowPrivateTargets: Bool
    let resolver: any HostResolver
    private let resolverThreads: NIOThreadPool

    /// - Parameters:
    ///   - allowPrivateTargets: Deliver to loopback, private and link-local addresses too (development, tests).
    ///   - maximumConnectionsPerHost: Connections kept per target host; the worker's concurrency.
    ///   - resolver: Resolves target hosts; `nil` for the system resolver (`getaddrinfo` on the handler's threads).
    public init(allowPrivateTargets: Bool, maximumConnectionsPerHost: Int = 64, resolver: (any HostResolver)? = nil) {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10)),
            connectionPool: .init(
                idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maximumConnectionsPerHost),
            decompression: .disabled)
        configuration.httpVersion = .automatic
        self.clients = PinnedHTTPClients(configuration: configuration)
        self.allowPrivateTargets = allowPrivateTargets
        self.resolverThreads = NIOThreadPool(numberOfThreads: 2)
        resolverThreads.start()
        self.resolver = resolver ?? SystemHostResolver(threadPool: resolverThreads)
    }

    /// Waits for graceful shutdown, then closes the clients.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Closes the clients and the resolver threads. Safe to call more than once.
    public func shutdown() async {
        await clients.shutdown()
        try? await resolverThreads.shutdownGracefully()
    }

    public func execute(_ run: ClaimedRun, context: JobExecutionContext) async -> JobOutcome {
        let configuration: HTTPJobConfiguration
        let headers: HTTPJobHeaders
        do {
            let config = try run.config()
            configuration = try HTTPJobConfiguration(config: config, allowPrivateTargets: allowPrivateTargets)
            // A config that still holds headers was written before they were sealed and is not converted yet.
            headers = config["headers"] != nil ? configuration.headers : try context.headers(for: run)
        } catch let error as ValidationError {
            return .failed("invalid http job config: \(error)")
        } catch let error as SecretBoxError {
            return .failed("cannot open the job's headers: \(error)")
        } catch {
            return .failed("invalid http job config: \(error)")
        }
        let url = configuration.url.absoluteString
        // The host exactly as AsyncHTTPClient reads it from the URL, so that the address override applies to it.
        guard let host = URL(string: url)?.host, !host.isEmpty else { return .failed("the job's url has no host") }
        let addresses: [NetworkAddress]
        switch await TargetAddressGuard.decide(host: host, resolver: resolver, allowPrivateTargets: allowPrivateTargets)
        {
        case .refuse(let problem): return .failed(problem)
        case .connect(let checked): addresses = checked
        }
        let signer: StandardWebhooksSigner
        do {
            signer = try StandardWebhooksSigner(
                secrets: context.activeSigningSecrets(for: run, now: Int64(Date().timeIntervalSince1970)))
        } catch {
            // Never include the secret; the error types print no key material.
            return .failed("cannot use the job's signing secret: \(error)")
        }
        let body = RunEnvelope.body(for: run)
        let signature = signer.sign(
            body: body, messageID: run.runID.lowercasedString, timestamp: Int64(Date().timeIntervalSince1970))

        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: configuration.method)
        for header in headers.fields { request.headers.add(name: header.name, value: header.value) }
        request.headers.replaceOrAdd(name: "content-type", value: "application/json")
        request.headers.replaceOrAdd(name: "user-agent", value: Self.userAgent)
        for field in signature.fields { request.headers.replaceOrAdd(name: field.name, value: field.value) }
        if let traceparent = run.traceparent, ServiceContext.current.flatMap(TraceContext.traceparent(of:)) == nil {
            // Tracing is off here: the producer's trace context goes on as it came. (With tracing on, the client
            // writes its own request span's.)
            request.headers.replaceOrAdd(name: "traceparent", value: traceparent)
        }
        request.body = .bytes(ByteBuffer(bytes: body))

        let timeout = Duration.milliseconds(configuration.timeoutMilliseconds)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let clientDeadline = NIODeadline.now() + .milliseconds(Int64(configuration.timeoutMilliseconds))
        for (index, address) in addresses.enumerated() {
            do {
                return try await clients.withClient(host: host, address: address) { client in
                    let response = try await client.execute(request, deadline: clientDeadline, logger: context.logger)
                    return await Self.outcome(of: response, until: deadline)
                }
            } catch {
                // Nothing was sent when no connection opened: the next checked address may answer.
                if index < addresses.count - 1, Self.isConnectionFailure(error) { continue }
                return Self.outcome(of: error, timeoutMilliseconds: configuration.timeoutMilliseconds)
            }
        }
        return .failed("request failed: no address of \(host) could be reached")
    }

    /// How the attempt ended, given the target's answer.
    static func outcome(of response: HTTPClientResponse, until deadline: ContinuousClock.Instant) async -> JobOutcome {
        let status = Int(response.status.code)
        let excerpt = await Self.excerpt(of: response.body, until: deadline)
        if (200..<300).contains(status) {
            return .succeeded(statusCode: status, responseExcerpt: excerpt)
        }
        var retryAfter: RetryAfter?
        if status == 429 || status == 503, let value = response.headers.first(name: "retry-after") {
            retryAfter = RetryAfter(headerValue: value, now: Int64(Date().timeIntervalSince1970))
        }
        return .failed(
            "the target answered \(status)", statusCode: status, responseExcerpt: excerpt, retryAfter: retryAfter)
    }

    /// How the attempt ended when the request failed with `error`.
    static func outcome(of error: any Error, timeoutMilliseconds: Int) -> JobOutcome {
        if let error = error as? HTTPClientError,
            error == .deadlineExceeded || error == .connectTimeout || error == .readTimeout
        {
            return .timedOut("no response within \(timeoutMilliseconds) ms")
        }
        if error is CancellationError { return .failed("cancelled") }
        return .failed("request failed: \(error)")
    }

    /// Whether `error` means no connection could be opened (so the request was not sent).
    static func isConnectionFailure(_ error: any Error) -> Bool {
        if error is NIOConnectionError { return true }
        if let error = error as? HTTPClientError, error == .connectTimeout { return true }
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        if let error = error as? IOError {
            return [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL, ETIMEDOUT].contains(error.errnoCode)
        }
        return false
    }

    /// The first KiB of a response body, read until `deadline` at the latest (the rest is not read).
    static func excerpt(of body: HTTPClientResponse.Body, until deadline: ContinuousClock.Instant) async -> String? {
        let bytes = await withTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                var collected: [UInt8] = []
                do {
                    for try await buffer in body {
                        collected += buffer.readableBytesView.prefix(
                            RunCompletion.maximumExcerptBytes - collected.count)
                        if collected.count >= RunCompletion.maximumExcerptBytes { break }
                    }
                } catch {
                    // A body cut short still yields what arrived.
                }
                return collected
            }
            group.addTask {
                try? await Task.sleep(until: deadline)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let bytes, !bytes.isEmpty else { return nil }
        return RunCompletion.excerpt(of: bytes)
    }
}
