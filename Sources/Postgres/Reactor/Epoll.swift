// The epoll and eventfd declarations come from the CLibPQ system library target (its shim includes
// <sys/epoll.h> and <sys/eventfd.h>), since Swift's Glibc module does not export them.
import CLibPQ
import Glibc

/// The few epoll and eventfd system calls the reactor makes; failures carry `strerror(errno)`.
enum Epoll {
    /// Token of the reactor's own wake-up eventfd; connection registrations use tokens from 1 up.
    static let wakeupToken: UInt64 = 0

    static func create() throws(PostgresError) -> Int32 {
        let descriptor = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard descriptor >= 0 else { throw systemError("epoll_create1") }
        return descriptor
    }

    static func createEventFD() throws(PostgresError) -> Int32 {
        let descriptor = eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK))
        guard descriptor >= 0 else { throw systemError("eventfd") }
        return descriptor
    }

    /// Adds `socket` to the epoll set for good, edge-triggered: every arrival of data, freed send space, error or
    /// hang-up is reported once, whether or not anyone waits. libpq closing the socket removes it.
    static func add(_ epoll: Int32, socket: Int32, token: UInt64) throws(PostgresError) {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
        event.data.u64 = token
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, socket, &event) == 0 else { throw systemError("epoll_ctl") }
    }

    /// Adds the wake-up eventfd, level-triggered: once written it stays readable, which only shutdown does.
    static func addWakeup(_ epoll: Int32, eventFD: Int32) throws(PostgresError) {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = wakeupToken
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, eventFD, &event) == 0 else { throw systemError("epoll_ctl") }
    }

    /// Waits for events; returns how many were stored, 0 when interrupted by a signal, or an error.
    static func wait(
        _ epoll: Int32, into events: UnsafeMutableBufferPointer<epoll_event>
    ) throws(PostgresError) -> Int {
        let count = epoll_wait(epoll, events.baseAddress, Int32(events.count), -1)
        if count >= 0 { return Int(count) }
        if errno == EINTR { return 0 }
        throw systemError("epoll_wait")
    }

    static func token(of event: epoll_event) -> UInt64 { event.data.u64 }

    static func wake(eventFD: Int32) {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { write(eventFD, $0.baseAddress, $0.count) }
    }

    private static func systemError(_ call: String) -> PostgresError {
        PostgresError(code: .connectionFailure, message: "\(call) failed: \(String(cString: strerror(errno)))")
    }
}
