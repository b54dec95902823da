import ServiceLifecycle

extension PostgresPool: Service {
    /// Prunes idle and expired connections until graceful shutdown, then closes the pool.
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                self.pruneIdleConnections()
            }
        }
        await shutdown()
    }

    /// Closes idle connections that were idle too long or lived too long.
    func pruneIdleConnections(now: ContinuousClock.Instant = .now) {
        let expired = state.withLock { state -> [PostgresConnection] in
            var expired: [PostgresConnection] = []
            state.idle.removeAll { entry in
                let tooOld = entry.connection.openedAt.duration(to: now) >= poolConfiguration.maxLifetime
                let idleTooLong = entry.since.duration(to: now) >= poolConfiguration.idleTimeout
                guard tooOld || idleTooLong else { return false }
                expired.append(entry.connection)
                return true
            }
            state.total -= expired.count
            return expired
        }
        if !expired.isEmpty { logger.debug("closed \(expired.count) idle database connections") }
    }

    /// Stops handing out connections, fails waiters, closes idle connections and, once leased connections are
    /// back (or after `gracePeriod`), stops the reactor and the thread pool: statements still waiting then fail
    /// with `.poolClosed`, as do later statements on connections not yet returned. Safe to call more than once.
    public func shutdown(gracePeriod: Duration = .seconds(10)) async {
        let (waiters, idle, alreadyClosed) = state.withLock { state in
            let result = (state.waiters, state.idle.map(\.connection), state.isClosed)
            state.isClosed = true
            state.waiters.removeAll()
            state.total -= state.idle.count
            state.idle.removeAll()
            return result
        }
        guard !alreadyClosed else { return }
        for waiter in waiters { waiter.continuation.resume(throwing: Self.closedError) }
        _ = idle  // released here: each connection closes as its last reference goes
        let deadline = ContinuousClock.now.advanced(by: gracePeriod)
        while state.withLock({ $0.leased > 0 }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        await reactor.shutdown()
        try? await threadPool.shutdownGracefully()
    }
}
