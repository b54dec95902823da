import Synchronization

/// The cancellation state of one call (``PostgresConnection/query(_:_:)`` or `execute(script:)`), which may take
/// more than one round trip (prepare, then execute).
///
/// The server only cancels what it is running when the request arrives; one that lands between round trips is
/// ignored. So a cancellation is remembered: a round trip not yet sent is never sent, one on the server is
/// cancelled there, and a round trip does not end (so neither the call nor the connection's next user goes on)
/// until a cancel request on its way has been delivered — a cancellation never leaks into the next statement.
final class CancellationToken: Sendable {
    private enum State {
        /// Nothing of the call is on the server.
        case idle
        case running
        /// A cancel request is on its way to the server; ``endRoundTrip()`` waits for it.
        case cancelling([CheckedContinuation<Void, Never>])
        case cancelled
        /// The call is over; a late cancellation has nothing to do.
        case finished
    }

    private let state = Mutex(State.idle)

    /// Marks a round trip as sent; `false` when the call was cancelled, and then it must not be sent.
    func beginRoundTrip() -> Bool {
        state.withLock { state in
            guard case .idle = state else { return false }
            state = .running
            return true
        }
    }

    /// Marks the round trip over once its results are read, first waiting for a cancel request in flight.
    func endRoundTrip() async {
        let mustWait = state.withLock { state -> Bool in
            switch state {
            case .running:
                state = .idle
                return false
            case .cancelling:
                return true
            case .idle, .cancelled, .finished:
                return false
            }
        }
        guard mustWait else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let delivered = state.withLock { state -> Bool in
                guard case .cancelling(let waiters) = state else { return true }
                state = .cancelling(waiters + [continuation])
                return false
            }
            if delivered { continuation.resume() }
        }
    }

    /// Marks the call cancelled; `true` when a round trip is on the server and the server must be told, in which
    /// case the caller must call ``cancelRequestDelivered()`` once it has sent the request (or given up).
    func cancel() -> Bool {
        state.withLock { state in
            switch state {
            case .idle:
                state = .cancelled
                return false
            case .running:
                state = .cancelling([])
                return true
            case .cancelling, .cancelled, .finished:
                return false
            }
        }
    }

    func cancelRequestDelivered() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard case .cancelling(let waiters) = state else { return [] }
            state = .cancelled
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Marks the call over. Every round trip has ended, so no cancel request is in flight.
    func finish() { state.withLock { $0 = .finished } }
}
