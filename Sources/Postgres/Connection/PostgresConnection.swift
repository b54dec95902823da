import CLibPQ
import Foundation
import NIOPosix
import Synchronization

/// One libpq connection. Used by one caller at a time (the pool hands it out exclusively);
/// every blocking libpq call runs on the pool's dedicated thread pool, never on Swift's cooperative pool.
/// The connection closes when the last reference to it goes away.
public final class PostgresConnection: @unchecked Sendable {
    let handle: OpaquePointer
    private let cancelHandle: OpaquePointer?
    private let threadPool: NIOThreadPool
    /// Prepared statements of this connection, by SQL text and parameter types.
    private var statements: [StatementKey: String] = [:]

    /// When the connection was opened, for the pool's max-lifetime rule.
    public let openedAt: ContinuousClock.Instant
    /// The server process serving this connection (`pg_backend_pid()`).
    public let backendPID: Int32

    /// Most statements a connection keeps prepared before it deallocates them all and starts afresh.
    static let statementCacheLimit = 256

    private struct StatementKey: Hashable {
        let sql: String
        let types: [UInt32]
    }

    private init(handle: OpaquePointer, threadPool: NIOThreadPool) {
        self.handle = handle
        self.cancelHandle = PQgetCancel(handle)
        self.threadPool = threadPool
        self.openedAt = .now
        self.backendPID = PQbackendPID(handle)
    }

    deinit {
        if let cancelHandle { PQfreeCancel(cancelHandle) }
        PQfinish(handle)
    }

    /// Opens a connection, running the blocking connect on `threadPool`.
    public static func connect(
        _ configuration: PostgresConfiguration, threadPool: NIOThreadPool
    ) async throws -> PostgresConnection {
        try await threadPool.runIfActive { try connectBlocking(configuration, threadPool: threadPool) }
    }

    static func connectBlocking(
        _ configuration: PostgresConfiguration, threadPool: NIOThreadPool
    ) throws(PostgresError) -> PostgresConnection {
        let parameters = configuration.connectionParameters
        let handle: OpaquePointer? = withCStringArray(parameters.map(\.0)) { keywords in
            withCStringArray(parameters.map(\.1)) { values in
                PQconnectdbParams(keywords, values, 1)
            }
        }
        guard let handle else { throw PostgresError(code: .connectionFailure, message: "out of memory") }
        guard PQstatus(handle) == CONNECTION_OK else {
            let error = PostgresError.connectionError(handle, fallback: "could not connect")
            PQfinish(handle)
            throw error
        }
        let connection = PostgresConnection(handle: handle, threadPool: threadPool)
        // Binary timestamps need no DateStyle, but keep the session in UTC for SQL that prints times.
        _ = try connection.executeScriptBlocking("SET TIME ZONE 'UTC'")
        return connection
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
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN) | pollReadHangUp, revents: 0)
            guard poll(&descriptor, 1, 0) > 0 else { break }
            // The server closed its end (FIN): whatever is buffered, this connection is finished.
            if descriptor.revents & (pollReadHangUp | Int16(POLLHUP) | Int16(POLLERR)) != 0 { return false }
            if PQconsumeInput(handle) == 0 { return false }
            while let notification = PQnotifies(handle) { PQfreemem(notification) }
        }
        return PQstatus(handle) == CONNECTION_OK && PQtransactionStatus(handle) == PQTRANS_IDLE
    }

    // MARK: Queries

    /// Runs one statement with `$n` parameters and returns its rows. The statement is prepared once per
    /// connection and reused. Cancelling the calling task cancels the statement on the server.
    @discardableResult
    public func query(_ sql: String, _ bindings: [any PostgresEncodable] = []) async throws -> PostgresRows {
        try await runCancellable { try self.executeBlocking(sql, bindings) }
    }

    /// Runs a script of one or more statements without parameters (DDL, migrations, `BEGIN`).
    public func execute(script: String) async throws {
        _ = try await runCancellable { try self.executeScriptBlocking(script) }
    }

    private func runCancellable<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        // One token per call: a cancellation that arrives before the statement starts still stops it, and a
        // cancellation of an earlier call never leaks into the next one.
        let token = CancellationToken()
        return try await withTaskCancellationHandler {
            try await threadPool.runIfActive {
                guard token.start() else {
                    throw PostgresError(code: .queryCancelled, message: "cancelled before the statement was sent")
                }
                defer { token.finish() }
                return try body()
            }
        } onCancel: {
            if token.cancel(), let cancelHandle = self.cancelHandle {
                var errorBuffer = [CChar](repeating: 0, count: 256)
                _ = PQcancel(cancelHandle, &errorBuffer, Int32(errorBuffer.count))
            }
        }
    }

    func executeBlocking(_ sql: String, _ bindings: [any PostgresEncodable]) throws(PostgresError) -> PostgresRows {
        let types = bindings.map { type(of: $0).postgresType.rawValue }
        let name = try preparedStatementName(sql: sql, types: types)
        var buffer: [UInt8] = []
        var ranges: [Range<Int>?] = []
        ranges.reserveCapacity(bindings.count)
        for binding in bindings {
            if binding.isNull {
                ranges.append(nil)
                continue
            }
            let start = buffer.count
            binding.encode(into: &buffer)
            ranges.append(start..<buffer.count)
        }
        let lengths = ranges.map { Int32($0?.count ?? 0) }
        let formats = [Int32](repeating: 1, count: bindings.count)
        let result: OpaquePointer? = buffer.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!)
            let values: [UnsafePointer<CChar>?] = ranges.map { range in
                range.map { (base + $0.lowerBound).assumingMemoryBound(to: CChar.self) }
            }
            return PQexecPrepared(handle, name, Int32(bindings.count), values, lengths, formats, 1)
        }
        return try Self.consume(result, connection: handle)
    }

    private func preparedStatementName(sql: String, types: [UInt32]) throws(PostgresError) -> String {
        let key = StatementKey(sql: sql, types: types)
        if let name = statements[key] { return name }
        if statements.count >= Self.statementCacheLimit {
            _ = try executeScriptBlocking("DEALLOCATE ALL")
            statements.removeAll()
        }
        let name = "inlet_\(statements.count)_\(UInt32.random(in: 0...UInt32.max))"
        let result = PQprepare(handle, name, sql, Int32(types.count), types)
        _ = try Self.consume(result, connection: handle)
        statements[key] = name
        return name
    }

    @discardableResult
    func executeScriptBlocking(_ script: String) throws(PostgresError) -> PostgresRows {
        try Self.consume(PQexec(handle, script), connection: handle)
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

extension PostgresRows {
    init(result: OpaquePointer) {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        columns = (0..<columnCount).map { column in
            Column(
                name: String(cString: PQfname(result, Int32(column))),
                type: PostgresType(rawValue: PQftype(result, Int32(column))))
        }
        var storage: [UInt8] = []
        var cells: [(start: Int32, length: Int32)?] = []
        cells.reserveCapacity(rowCount * columnCount)
        for row in 0..<Int32(rowCount) {
            for column in 0..<Int32(columnCount) {
                if PQgetisnull(result, row, column) == 1 {
                    cells.append(nil)
                    continue
                }
                let length = Int(PQgetlength(result, row, column))
                let start = storage.count
                if let value = PQgetvalue(result, row, column), length > 0 {
                    value.withMemoryRebound(to: UInt8.self, capacity: length) {
                        storage.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
                    }
                }
                cells.append((Int32(start), Int32(length)))
            }
        }
        self.storage = storage
        self.cells = cells
        self.rowCount = rowCount
        self.affectedRows = Int(String(cString: PQcmdTuples(result))) ?? rowCount
    }
}

/// Calls `body` with a NULL-terminated array of C strings.
func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let duplicates = strings.map { strdup($0) }
    defer { duplicates.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = duplicates.map { UnsafePointer($0) } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// The cancellation state of one statement: cancelled before it starts, it never starts; cancelled while it runs,
/// the server is asked to cancel it.
final class CancellationToken: Sendable {
    private enum State {
        case pending, running, cancelled, finished
    }

    private let state = Mutex(State.pending)

    /// Marks the statement running; `false` when it was cancelled first.
    func start() -> Bool {
        state.withLock { state in
            guard state == .pending else { return false }
            state = .running
            return true
        }
    }

    func finish() { state.withLock { $0 = .finished } }

    /// Marks the call cancelled; `true` when the statement is running and the server must be told.
    func cancel() -> Bool {
        state.withLock { state in
            defer { if state != .finished { state = .cancelled } }
            return state == .running
        }
    }
}

/// `POLLRDHUP` (Linux: the peer closed its end), which Glibc's Swift overlay does not export.
let pollReadHangUp: Int16 = 0x2000
