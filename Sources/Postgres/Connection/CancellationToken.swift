import Synchronization

/// The cancellation state of one statement: cancelled before it is sent, it is never sent; cancelled while it
/// runs, the server is asked to cancel it, and the statement does not finish (so the connection is not used for
/// the next one) until that request has been delivered — a cancellation never leaks into the next statement.
final class CancellationToken: Sendable {
    private enum State {
        case pending, running, cancelled, finished
        /// A cancel request is on its way to the server; `finish()` callers wait for it.
        case cancelling([CheckedContinuation<Void, Never>])
    }

    private let state = Mutex(State.pending)

    /// Marks the statement running; `false` when it was cancelled first.
    func start() -> Bool {
        state.withLock { state in
            guard case .pending = state else { return false }
            state = .running
            return true
        }
    }

    /// Marks the call cancelled; `true` when the statement is running and the server must be told, in which case
    /// the caller must call ``cancelRequestDelivered()`` once it has sent the request (or given up).
    func cancel() -> Bool {
        state.withLock { state in
            switch state {
            case .pending:
                state = .cancelled
                return false
            case .running:
                state = .cancelling([])
                return true
            case .cancelled, .finished, .cancelling:
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

    /// Marks the statement finished, first waiting for a cancel request in flight to be delivered.
    func finish() async {
        let mustWait = state.withLock { state -> Bool in
            if case .cancelling = state { return true }
            state = .finished
            return false
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
        state.withLock { $0 = .finished }
    }
}
