import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A bounded pool of libpq connections, with its own reactor thread on which statements wait and a small
/// thread pool for the calls that block (connecting, cancel requests).
///
/// Run it as a `Service` (it prunes idle and old connections and closes everything on graceful shutdown), and
/// borrow connections with ``withConnection(_:)``. Broken connections are detected when returned or handed
/// out and replaced; when all are busy, callers queue for at most `acquireTimeout`.
public final class PostgresPool: Sendable {
    public let configuration: PostgresConfiguration
    public let poolConfiguration: PostgresPoolConfiguration
    let logger: Logger
    let threadPool: NIOThreadPool
    let reactor: PostgresReactor
    let state = Mutex(State())

    struct State {
        var idle: [(connection: PostgresConnection, since: ContinuousClock.Instant)] = []
        var total = 0
        var leased = 0
        var waiters: [Waiter] = []
        var nextWaiterID = 0
        var isClosed = false
    }

    struct Waiter {
        let id: Int
        /// Resumed with a connection, or with `nil` when a slot was reserved for the waiter to open one.
        let continuation: CheckedContinuation<PostgresConnection?, any Error>
    }

    public init(
        configuration: PostgresConfiguration, poolConfiguration: PostgresPoolConfiguration = .init(),
        logger: Logger = Logger(label: "postgres.pool")
    ) {
        self.configuration = configuration
        self.poolConfiguration = poolConfiguration
        self.logger = logger
        // Connecting is rare and short; a few threads are enough even for a large pool.
        self.threadPool = NIOThreadPool(numberOfThreads: min(poolConfiguration.maxConnections, 4))
        threadPool.start()
        self.reactor = PostgresReactor()
    }

    public var statistics: PostgresPoolStatistics {
        state.withLock {
            PostgresPoolStatistics(inUse: $0.leased, idle: $0.idle.count, waiting: $0.waiters.count, total: $0.total)
        }
    }

    /// Borrows a connection for the duration of `body`; it is returned on every path.
    public func withConnection<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await acquire()
        do {
            let result = try await body(connection)
            release(connection)
            return result
        } catch {
            release(connection)
            throw error
        }
    }

    /// Runs one statement on a pooled connection.
    @discardableResult
    public func query(_ sql: String, _ bindings: [any PostgresEncodable] = []) async throws -> PostgresRows {
        try await withConnection { try await $0.query(sql, bindings) }
    }

    // MARK: Acquire and release

    private enum AcquireAction {
        case use(PostgresConnection)
        case open
        case wait(id: Int)
        case fail(PostgresError)
    }

    func acquire() async throws -> PostgresConnection {
        while true {
            let action = state.withLock { state -> AcquireAction in
                if state.isClosed { return .fail(Self.closedError) }
                if let (connection, _) = state.idle.popLast() {
                    state.leased += 1
                    return .use(connection)
                }
                if state.total < poolConfiguration.maxConnections {
                    state.total += 1
                    state.leased += 1
                    return .open
                }
                state.nextWaiterID += 1
                return .wait(id: state.nextWaiterID)
            }
            switch action {
            case .fail(let error):
                throw error
            case .use(let connection):
                if connection.isUsable { return connection }
                logger.debug("discarding a broken idle connection", metadata: ["pid": "\(connection.backendPID)"])
                discard(connection)
            case .open:
                return try await open()
            case .wait(let id):
                if let connection = try await wait(id: id) {
                    if connection.isUsable { return connection }
                    discard(connection)
                } else {
                    return try await open()
                }
            }
        }
    }

    /// Opens a connection into a slot already counted in `total` and `leased`.
    private func open() async throws -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(configuration, threadPool: threadPool, reactor: reactor)
        } catch {
            releaseSlot()
            logger.warning("could not open a database connection", metadata: ["error": "\(error)"])
            throw error
        }
    }

    private func wait(id: Int) async throws -> PostgresConnection? {
        let timeout = poolConfiguration.acquireTimeout
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let registered = state.withLock { state -> Bool in
                    if Task.isCancelled || state.isClosed { return false }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return true
                }
                guard registered else {
                    continuation.resume(throwing: Task.isCancelled ? CancellationError() : Self.closedError)
                    return
                }
                MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: .nanoseconds(timeout.nanoseconds)) {
                    self.failWaiter(
                        id: id,
                        with: PostgresError(
                            code: .poolExhausted,
                            message: "no database connection became free within \(timeout) "
                                + "(pool of \(self.poolConfiguration.maxConnections) connections)"))
                }
            }
        } onCancel: {
            failWaiter(id: id, with: CancellationError())
        }
    }

    private func failWaiter(id: Int, with error: any Error) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: error)
    }

    /// Returns a connection: to the first waiter, to the idle list, or closed when broken, too old or the pool
    /// is closed. (News the server sent since the statement ended is read when the connection is handed out.)
    func release(_ connection: PostgresConnection) {
        let keep = connection.isIdleAndHealthy && connection.openedAt.duration(to: .now) < poolConfiguration.maxLifetime
        guard keep else {
            discard(connection)
            return
        }
        let waiter = state.withLock { state -> Waiter? in
            if state.isClosed { return nil }
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.leased -= 1
            state.idle.append((connection, .now))
            return nil
        }
        if let waiter {
            waiter.continuation.resume(returning: connection)
        } else if state.withLock({ $0.isClosed }) {
            discard(connection)
        }
    }

    /// Drops a leased connection (it closes when released) and frees its slot for a waiter, if any.
    private func discard(_ connection: PostgresConnection) {
        releaseSlot()
    }

    private func releaseSlot() {
        let waiter = state.withLock { state -> Waiter? in
            if !state.isClosed, !state.waiters.isEmpty { return state.waiters.removeFirst() }  // slot passes on
            state.total -= 1
            state.leased -= 1
            return nil
        }
        waiter?.continuation.resume(returning: nil)
    }

    static let closedError = PostgresError(code: .poolClosed, message: "the database pool is shut down")
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
