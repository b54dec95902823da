import CLibPQ
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

/// LISTENs on channels over one dedicated connection and delivers notifications to every subscriber.
///
/// Run it as a `Service`. When the connection drops it reconnects by itself (with backoff), LISTENs again and
/// sends each subscriber an ``PostgresNotification/afterReconnect`` notification per channel.
public final class PostgresListener: Service, Sendable {
    private let configuration: PostgresConfiguration
    private let channels: [String]
    private let logger: Logger
    private let subscribers = Mutex<[Int: AsyncStream<PostgresNotification>.Continuation]>([:])
    private let nextSubscriberID = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    /// Number of (re)connections made; exposed for tests and metrics.
    public var connectionCount: Int { connections.load(ordering: .relaxed) }
    private let connections = Atomic<Int>(0)

    public init(
        configuration: PostgresConfiguration, channels: [String], logger: Logger = Logger(label: "postgres.listen")
    ) {
        self.configuration = configuration
        self.channels = channels
        self.logger = logger
    }

    /// A new stream of notifications on the listener's channels; it ends when the listener stops.
    public func notifications() -> AsyncStream<PostgresNotification> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: PostgresNotification.self, bufferingPolicy: .bufferingNewest(4096))
        let id = nextSubscriberID.add(1, ordering: .relaxed).newValue
        subscribers.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        return stream
    }

    public func run() async throws {
        let thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                _ = try? await thread.runIfActive { self.listenLoop() }
            } onGracefulShutdown: {
                self.stopping.store(true, ordering: .relaxed)
            }
        } onCancel: {
            self.stopping.store(true, ordering: .relaxed)
        }
        try? await thread.shutdownGracefully()
        let finished = subscribers.withLock { subscribers in
            defer { subscribers.removeAll() }
            return Array(subscribers.values)
        }
        for continuation in finished { continuation.finish() }
    }

    /// Stops the listener without a service group (tests, tools).
    public func stop() { stopping.store(true, ordering: .relaxed) }

    private var isStopping: Bool { stopping.load(ordering: .relaxed) }

    /// Blocking: connect, LISTEN, wait for notifications; on failure wait and start over.
    private func listenLoop() {
        var failures = 0
        while !isStopping {
            do {
                try listenOnce(isReconnect: connectionCount > 0) { failures = 0 }
            } catch {
                failures += 1
                logger.warning("LISTEN connection failed; reconnecting", metadata: ["error": "\(error)"])
            }
            // Back off 100 ms, 200 ms, … up to 2 s, waking early when stopping.
            let delay = min(2000, 100 << min(failures, 5))
            var waited = 0
            while waited < delay, !isStopping {
                usleep(50_000)
                waited += 50
            }
        }
    }

    private func listenOnce(isReconnect: Bool, connected: () -> Void) throws {
        let parameters = configuration.connectionParameters
        let handle: OpaquePointer? = withCStringArray(parameters.map(\.0)) { keywords in
            withCStringArray(parameters.map(\.1)) { values in PQconnectdbParams(keywords, values, 1) }
        }
        guard let handle else { throw PostgresError(code: .connectionFailure, message: "out of memory") }
        defer { PQfinish(handle) }
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError.connectionError(handle, fallback: "could not connect")
        }
        for channel in channels {
            guard let quoted = PQescapeIdentifier(handle, channel, channel.utf8.count) else {
                throw PostgresError.connectionError(handle, fallback: "could not quote channel name")
            }
            let statement = "LISTEN " + String(cString: quoted)
            PQfreemem(quoted)
            _ = try PostgresConnection.consume(PQexec(handle, statement), connection: handle)
        }
        connections.add(1, ordering: .relaxed)
        connected()
        if isReconnect {
            for channel in channels {
                broadcast(PostgresNotification(channel: channel, payload: "", afterReconnect: true))
            }
        }
        let socket = PQsocket(handle)
        while !isStopping {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 250)
            if ready < 0, errno != EINTR { throw PostgresError(code: .connectionFailure, message: "poll failed") }
            if ready > 0 {
                guard PQconsumeInput(handle) == 1 else {
                    throw PostgresError.connectionError(handle, fallback: "connection lost")
                }
                while let notify = PQnotifies(handle) {
                    let notification = PostgresNotification(
                        channel: String(cString: notify.pointee.relname), payload: String(cString: notify.pointee.extra)
                    )
                    PQfreemem(notify)
                    broadcast(notification)
                }
            }
            if PQstatus(handle) != CONNECTION_OK {
                throw PostgresError.connectionError(handle, fallback: "connection lost")
            }
        }
    }

    private func broadcast(_ notification: PostgresNotification) {
        let continuations = subscribers.withLock { Array($0.values) }
        for continuation in continuations { continuation.yield(notification) }
    }
}
