import CNIOLinux
import Foundation
import Synchronization

/// One thread that waits with epoll on the sockets of connections whose statements are in flight, and resumes
/// the suspended callers when their socket is ready.
///
/// The reactor never touches a `PGconn`: a caller sends with libpq's non-blocking API, suspends in
/// ``wait(for:_:)`` and, once resumed, reads the input itself on its own task. So libpq calls stay with the one
/// caller that holds the connection, and the reactor thread only turns readiness into resumptions.
/// Registrations are one-shot (`EPOLLONESHOT`): arming is a single `epoll_ctl` from the caller's thread, with no
/// need to wake the reactor, and each arming reports at most once.
final class PostgresReactor: Sendable {
    /// A socket added to the epoll set, with the token its events carry. Tokens are never reused, so a late event
    /// for a closed socket can never resume another connection's caller.
    struct Registration: Sendable {
        let socket: Int32
        let token: UInt64
    }

    private struct State {
        var waiters: [UInt64: CheckedContinuation<PostgresError?, Never>] = [:]
        var isClosed = false
        var threadExited = false
        var shutdownWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// The epoll and eventfd descriptors, or why they could not be created (then every registration fails).
    private let descriptors: Result<(epoll: Int32, wakeup: Int32), PostgresError>
    private let state = Mutex(State())
    private let nextToken = Atomic<UInt64>(Epoll.wakeupToken)

    /// A reactor shared by connections opened outside a pool (``PostgresConnection/connect(_:threadPool:)``);
    /// it runs for the life of the process.
    static let shared = PostgresReactor(name: "postgres-reactor-shared")

    static let closedError = PostgresError(code: .poolClosed, message: "the database pool is shut down")

    /// Creates the epoll set and starts the thread. Never fails: if the descriptors cannot be created, the error
    /// is reported by every ``register(socket:)``.
    init(name: String = "postgres-reactor") {
        descriptors = Epoll.create().flatMap { epoll in
            Epoll.createEventFD().flatMap { wakeup in
                Epoll.addWakeup(epoll, eventFD: wakeup).map { (epoll, wakeup) }
                    .flatMapError { error in
                        close(wakeup)
                        return .failure(error)
                    }
            }.flatMapError { error in
                close(epoll)
                return .failure(error)
            }
        }
        guard case .success(let descriptors) = descriptors else {
            state.withLock {
                $0.isClosed = true; $0.threadExited = true
            }
            return
        }
        // The thread holds the reactor until it exits, so the descriptors outlive it.
        let thread = Thread { self.run(epoll: descriptors.epoll) }
        thread.name = name
        thread.start()
    }

    deinit {
        if case .success(let descriptors) = descriptors {
            close(descriptors.epoll)
            close(descriptors.wakeup)
        }
    }

    /// Adds a connection's socket. It leaves the set by itself when libpq closes the socket.
    func register(socket: Int32) throws(PostgresError) -> Registration {
        let epoll = try descriptors.get().epoll
        let token = nextToken.add(1, ordering: .relaxed).newValue
        try Epoll.add(epoll, socket: socket, token: token).get()
        return Registration(socket: socket, token: token)
    }

    /// Suspends until `registration`'s socket is ready for `interest`, has an error or was hung up (the caller
    /// finds out which by reading it). Throws ``closedError`` when the reactor is shut down first. A caller must
    /// tolerate an early return: it re-checks its connection and waits again.
    func wait(for registration: Registration, _ interest: SocketInterest) async throws(PostgresError) {
        let error: PostgresError? = await withCheckedContinuation { continuation in
            let accepted = state.withLock { state -> Bool in
                guard !state.isClosed else { return false }
                state.waiters[registration.token] = continuation
                return true
            }
            guard accepted, case .success(let descriptors) = descriptors else {
                continuation.resume(returning: Self.closedError)
                return
            }
            // Armed after the waiter is stored, so a report arriving at once finds it.
            let armed = Epoll.arm(
                descriptors.epoll, socket: registration.socket, token: registration.token, interest: interest)
            if case .failure(let error) = armed {
                let waiter = state.withLock { $0.waiters.removeValue(forKey: registration.token) }
                waiter?.resume(returning: error)
            }
        }
        if let error { throw error }
    }

    /// Stops the thread after failing every waiting caller with ``closedError``; later waits fail at once.
    /// Returns once the thread has exited. Safe to call more than once.
    func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let exited = state.withLock { state -> Bool in
                state.isClosed = true
                if state.threadExited { return true }
                state.shutdownWaiters.append(continuation)
                return false
            }
            if exited {
                continuation.resume()
            } else if case .success(let descriptors) = descriptors {
                Epoll.wake(eventFD: descriptors.wakeup)
            }
        }
    }

    private func run(epoll: Int32) {
        let capacity = 64
        let events = UnsafeMutableBufferPointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        var ready: [CheckedContinuation<PostgresError?, Never>] = []
        ready.reserveCapacity(capacity)
        var failure: PostgresError?
        loop: while true {
            let count: Int
            switch Epoll.wait(epoll, into: events) {
            case .success(let value): count = value
            case .failure(let error):
                failure = error
                break loop
            }
            let stop = state.withLock { state -> Bool in
                var stop = false
                for event in events.prefix(count) {
                    let token = Epoll.token(of: event)
                    if token == Epoll.wakeupToken {
                        stop = state.isClosed
                    } else if let waiter = state.waiters.removeValue(forKey: token) {
                        ready.append(waiter)
                    }
                }
                return stop
            }
            for waiter in ready { waiter.resume(returning: nil) }
            ready.removeAll(keepingCapacity: true)
            if stop { break loop }
        }
        let (waiters, shutdownWaiters) = state.withLock { state in
            state.isClosed = true
            state.threadExited = true
            defer {
                state.waiters.removeAll()
                state.shutdownWaiters.removeAll()
            }
            return (Array(state.waiters.values), state.shutdownWaiters)
        }
        for waiter in waiters { waiter.resume(returning: failure ?? Self.closedError) }
        for waiter in shutdownWaiters { waiter.resume() }
    }
}
