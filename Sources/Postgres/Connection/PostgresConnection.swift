import CLibPQ
import Foundation
import NIOPosix
import Tracing

/// One libpq connection. Used by one caller at a time (the pool hands it out exclusively).
///
/// Statements use libpq's non-blocking API: the caller's task sends, suspends on the pool's
/// ``PostgresReactor`` until the socket is ready and reads the results itself, so no thread blocks on the server
/// and none is needed per statement. Only connecting and cancel requests, which block inside libpq, run on a small
/// thread pool. The connection closes when the last reference to it goes away.
///
/// `@unchecked Sendable`: the `PGconn` and the statement cache are used only by the caller holding the
/// connection, one at a time; the other threads that see the connection use only the cancel handle (`PQcancel` is
/// thread-safe) and Sendable members.
public final class PostgresConnection: @unchecked Sendable {
    let handle: OpaquePointer
    private let cancelHandle: OpaquePointer?
    /// Runs cancel requests, which open a connection to the server and wait for it.
    private let threadPool: NIOThreadPool
    let reactor: PostgresReactor
    let registration: PostgresReactor.Registration
    private let fatalNotices: FatalNoticeWatch
    /// The cancellation state of the call in progress.
    var currentCall: CancellationToken?
    /// Prepared statements of this connection, by SQL text and parameter types.
    var statements: [StatementKey: String] = [:]

    /// When the connection was opened, for the pool's max-lifetime rule.
    public let openedAt: ContinuousClock.Instant
    /// The server process serving this connection (`pg_backend_pid()`).
    public let backendPID: Int32

    /// Most statements a connection keeps prepared before it deallocates them all and starts afresh.
    static let statementCacheLimit = 256

    struct StatementKey: Hashable {
        let sql: String
        let types: [UInt32]
    }

    private init(
        handle: OpaquePointer, threadPool: NIOThreadPool, reactor: PostgresReactor,
        registration: PostgresReactor.Registration
    ) {
        self.handle = handle
        self.cancelHandle = PQgetCancel(handle)
        self.threadPool = threadPool
        self.reactor = reactor
        self.registration = registration
        self.fatalNotices = FatalNoticeWatch(installingOn: handle)
        self.openedAt = .now
        self.backendPID = PQbackendPID(handle)
    }

    deinit {
        if let cancelHandle { PQfreeCancel(cancelHandle) }
        // Closing the socket also removes it from the reactor's epoll set.
        PQfinish(handle)
        reactor.deregister(registration)
    }

    /// Opens a connection, running the blocking connect on `threadPool`. Its statements wait on a reactor shared
    /// by all connections opened this way.
    public static func connect(
        _ configuration: PostgresConfiguration, threadPool: NIOThreadPool
    ) async throws -> PostgresConnection {
        try await connect(configuration, threadPool: threadPool, reactor: .shared)
    }

    static func connect(
        _ configuration: PostgresConfiguration, threadPool: NIOThreadPool, reactor: PostgresReactor
    ) async throws -> PostgresConnection {
        try await threadPool.runIfActive {
            try connectBlocking(configuration, threadPool: threadPool, reactor: reactor)
        }
    }

    private static func connectBlocking(
        _ configuration: PostgresConfiguration, threadPool: NIOThreadPool, reactor: PostgresReactor
    ) throws(PostgresError) -> PostgresConnection {
        let parameters = configuration.connectionParameters
        let handle: OpaquePointer? = withCStringArray(parameters.map(\.0)) { keywords in
            withCStringArray(parameters.map(\.1)) { values in
                PQconnectdbParams(keywords, values, 1)
            }
        }
        guard let handle else { throw PostgresError(code: .connectionFailure, message: "out of memory") }
        let registration: PostgresReactor.Registration
        do throws(PostgresError) {
            guard PQstatus(handle) == CONNECTION_OK else {
                throw PostgresError.connectionError(handle, fallback: "could not connect")
            }
            // Binary timestamps need no DateStyle, but keep the session in UTC for SQL that prints times.
            // Still in blocking mode: this is the connect thread.
            _ = try consume(PQexec(handle, "SET TIME ZONE 'UTC'"), connection: handle)
            guard PQsetnonblocking(handle, 1) == 0 else {
                throw PostgresError.connectionError(handle, fallback: "could not enter non-blocking mode")
            }
            registration = try reactor.register(socket: PQsocket(handle))
        } catch {
            PQfinish(handle)
            throw error
        }
        return PostgresConnection(
            handle: handle, threadPool: threadPool, reactor: reactor, registration: registration)
    }

    /// Whether libpq considers the connection healthy. Reads any pending input first, without blocking,
    /// so a backend that was terminated while idle is noticed before the connection is handed out.
    public var isUsable: Bool {
        guard PQstatus(handle) == CONNECTION_OK else { return false }
        let socket = PQsocket(handle)
        guard socket >= 0 else { return false }
        // A terminated backend sends a FATAL message, then closes: read until nothing is pending, so the
        // end of the stream is seen too.
        for _ in 0..<8 {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 0) > 0 else { break }
            if PQconsumeInput(handle) == 0 { return false }
            while let notification = PQnotifies(handle) { PQfreemem(notification) }
        }
        return isIdleAndHealthy
    }

    /// Whether the connection is healthy and outside any statement or transaction, judged by what has been read
    /// so far (no system call): for a connection whose statement just ended, when ``isUsable``'s read for news
    /// from an idle server would be wasted.
    var isIdleAndHealthy: Bool {
        PQstatus(handle) == CONNECTION_OK && PQtransactionStatus(handle) == PQTRANS_IDLE
            && !fatalNotices.hasSeenFatal
    }

    // MARK: Queries

    /// Runs one statement with `$n` parameters and returns its rows. The statement is prepared once per
    /// connection and reused. Cancelling the calling task cancels the statement on the server.
    ///
    /// Each statement is a client span (named by its first keyword, with the statement's text: parameters are
    /// never recorded) when a tracer is bootstrapped; with the default no-op tracer the span costs next to nothing.
    @discardableResult
    public func query(_ sql: String, _ bindings: [any PostgresEncodable] = []) async throws -> PostgresRows {
        try await withSpan(Self.operationName(of: sql), ofKind: .client) { span in
            span.attributes["db.system.name"] = "postgresql"
            span.attributes["db.query.text"] = String(sql.prefix(2048))
            let rows = try await runCancellable { () async throws(PostgresError) in
                try await self.executePrepared(sql, bindings)
            }
            span.attributes["db.response.returned_rows"] = rows.count
            return rows
        }
    }

    /// The first word of a statement, upper-cased (`SELECT`, `WITH`, `UPDATE`): the span's name.
    static func operationName(of sql: String) -> String {
        let word = sql.utf8.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x09 }.prefix {
            ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A
        }
        return word.isEmpty ? "SQL" : String(decoding: word, as: UTF8.self).uppercased()
    }

    /// Runs a script of one or more statements without parameters (DDL, migrations, `BEGIN`).
    public func execute(script: String) async throws {
        _ = try await runCancellable { () async throws(PostgresError) in try await self.executeScript(script) }
    }

    private func runCancellable<T: Sendable>(
        _ body: () async throws(PostgresError) -> T
    ) async throws -> T {
        // One token per call: a cancellation that arrives before a round trip is sent stops it, and a
        // cancellation of an earlier call never leaks into the next one.
        let token = CancellationToken()
        currentCall = token
        defer {
            currentCall = nil
            token.finish()
        }
        return try await withTaskCancellationHandler {
            try await body()
        } onCancel: {
            if token.cancel() { self.sendCancelRequest { token.cancelRequestDelivered() } }
        }
    }

    /// Asks the server to cancel the running statement, then calls `completion`. `PQcancel` connects to the server
    /// and waits for the request to be taken, so it runs on the thread pool (or, once that is shut down, a thread
    /// of its own), never on the cancelling task's thread.
    func sendCancelRequest(then completion: @escaping @Sendable () -> Void = {}) {
        let send: @Sendable () -> Void = {
            if let cancelHandle = self.cancelHandle {
                var errorBuffer = [CChar](repeating: 0, count: 256)
                _ = PQcancel(cancelHandle, &errorBuffer, Int32(errorBuffer.count))
            }
            completion()
        }
        threadPool.submit { state in
            if state == .active { send() } else { Thread.detachNewThread(send) }
        }
    }

    /// Copies a result into ``PostgresRows`` (or throws its error) and frees it.
    static func consume(_ result: OpaquePointer?, connection: OpaquePointer) throws(PostgresError) -> PostgresRows {
        guard let result else { throw PostgresError.connectionError(connection, fallback: "connection lost") }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresRows(result: result)
        default:
            throw PostgresError.from(result: result, connection: connection)
        }
    }
}
