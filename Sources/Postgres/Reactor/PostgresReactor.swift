import CLibPQ
import Foundation
import Synchronization

/// One thread that waits with epoll on the sockets of a pool's connections, and resumes callers suspended until
/// their socket is ready.
///
/// The reactor never touches a `PGconn`: a caller sends with libpq's non-blocking API, suspends in
/// ``wait(for:)`` and, once resumed, reads the input itself on its own task. So libpq calls stay with the one
/// caller that holds the connection, and the reactor thread only turns readiness into resumptions.
///
/// Sockets are registered once, edge-triggered, so waiting costs no system call: a readiness report that finds
/// no caller waiting is remembered (``Slot/ready``) and makes the next wait return at once. Edges are reported
/// only for new readiness, so a caller that read part of what is pending must check the socket itself before
/// waiting again (``PostgresConnection`` does, with `poll`).
final class PostgresReactor: Sendable {
    /// A socket added to the epoll set, with the token its events carry. Tokens are never reused, so a late event
    /// for a closed socket can never resume another connection's caller.
    struct Registration: Sendable {
        let socket: Int32
        let token: UInt64
    }

    private enum Slot {
        case idle
        /// The socket became ready while nobody waited.
        case ready
        case waiting(CheckedContinuation<PostgresError?, Never>)
    }

    private struct State {
        var slots: [UInt64: Slot] = [:]
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
        descriptors = Result { () throws(PostgresError) in try Self.makeDescriptors() }
        guard case .success(let descriptors) = descriptors else {
            state.withLock { state in
                state.isClosed = true
                state.threadExited = true
            }
            return
        }
        // The thread holds the reactor until it exits, so the descriptors outlive it.
        let thread = Thread { self.run(epoll: descriptors.epoll) }
        thread.name = name
        thread.start()
    }

    private static func makeDescriptors() throws(PostgresError) -> (epoll: Int32, wakeup: Int32) {
        let epoll = try Epoll.create()
        do throws(PostgresError) {
            let wakeup = try Epoll.createEventFD()
            do throws(PostgresError) {
                try Epoll.addWakeup(epoll, eventFD: wakeup)
            } catch {
                close(wakeup)
                throw error
            }
            return (epoll, wakeup)
        } catch {
            close(epoll)
            throw error
        }
    }

    deinit {
        if case .success(let descriptors) = descriptors {
            close(descriptors.epoll)
            close(descriptors.wakeup)
        }
    }

    /// Adds a connection's socket. It leaves the epoll set by itself when libpq closes the socket; the connection
    /// calls ``deregister(_:)`` when it goes away.
    func register(socket: Int32) throws(PostgresError) -> Registration {
        let epoll = try descriptors.get().epoll
        let token = nextToken.add(1, ordering: .relaxed).newValue
        state.withLock { $0.slots[token] = .idle }
        do throws(PostgresError) {
            try Epoll.add(epoll, socket: socket, token: token)
        } catch {
            deregister(Registration(socket: socket, token: token))
            throw error
        }
        return Registration(socket: socket, token: token)
    }

    func deregister(_ registration: Registration) {
        _ = state.withLock { $0.slots.removeValue(forKey: registration.token) }
    }

    /// Returns once `registration`'s socket reported readiness (readable, writable, error or hang-up; the caller
    /// finds out which by using it) since the previous wait returned. Throws ``closedError`` when the reactor is
    /// shut down first. One caller at a time per registration.
    func wait(for registration: Registration) async throws(PostgresError) {
        enum Outcome { case ready, closed, suspend }
        let outcome = state.withLock { state -> Outcome in
            if state.isClosed { return .closed }
            guard case .ready = state.slots[registration.token] else { return .suspend }
            state.slots[registration.token] = .idle
            return .ready
        }
        switch outcome {
        case .ready: return
        case .closed: throw Self.closedError
        case .suspend: break
        }
        let error: PostgresError? = await withCheckedContinuation { continuation in
            let outcome = state.withLock { state -> Outcome in
                if state.isClosed { return .closed }
                switch state.slots[registration.token] {
                case .idle:
                    state.slots[registration.token] = .waiting(continuation)
                    return .suspend
                case .ready:
                    state.slots[registration.token] = .idle
                    return .ready
                case .waiting, nil:
                    preconditionFailure("a connection's socket is waited for by one caller at a time, while registered")
                }
            }
            switch outcome {
            case .ready: continuation.resume(returning: nil)
            case .closed: continuation.resume(returning: Self.closedError)
            case .suspend: break
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
            do throws(PostgresError) {
                count = try Epoll.wait(epoll, into: events)
            } catch {
                failure = error
                break loop
            }
            let stop = state.withLock { state -> Bool in
                var stop = false
                for event in events.prefix(count) {
                    let token = Epoll.token(of: event)
                    if token == Epoll.wakeupToken {
                        stop = state.isClosed
                        continue
                    }
                    switch state.slots[token] {
                    case .idle: state.slots[token] = .ready
                    case .waiting(let waiter):
                        state.slots[token] = .idle
                        ready.append(waiter)
                    case .ready, nil: break  // nil: a connection that already went away
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
            var waiters: [CheckedContinuation<PostgresError?, Never>] = []
            for (token, slot) in state.slots {
                guard case .waiting(let waiter) = slot else { continue }
                waiters.append(waiter)
                state.slots[token] = .idle
            }
            defer { state.shutdownWaiters.removeAll() }
            return (waiters, state.shutdownWaiters)
        }
        for waiter in waiters { waiter.resume(returning: failure ?? Self.closedError) }
        for waiter in shutdownWaiters { waiter.resume() }
    }
}
