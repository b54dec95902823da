/// Limits of a ``PostgresPool``.
public struct PostgresPoolConfiguration: Sendable {
    /// Most connections open at once.
    public var maxConnections: Int
    /// How long `withConnection` waits for a free connection before failing with `.poolExhausted`.
    public var acquireTimeout: Duration
    /// Connections older than this are closed when returned, so server-side memory and settings refresh.
    public var maxLifetime: Duration
    /// Idle connections unused for this long are closed.
    public var idleTimeout: Duration

    public init(
        maxConnections: Int = 10,
        acquireTimeout: Duration = .seconds(5),
        maxLifetime: Duration = .seconds(30 * 60),
        idleTimeout: Duration = .seconds(5 * 60)
    ) {
        precondition(maxConnections > 0, "a pool needs at least one connection")
        self.maxConnections = maxConnections
        self.acquireTimeout = acquireTimeout
        self.maxLifetime = maxLifetime
        self.idleTimeout = idleTimeout
    }
}

/// A snapshot of a pool's state, for metrics and tests.
public struct PostgresPoolStatistics: Sendable, Equatable {
    /// Connections handed out to callers right now.
    public var inUse: Int
    public var idle: Int
    /// Callers waiting for a connection.
    public var waiting: Int
    /// Open connections, plus those being opened.
    public var total: Int
}
