import CLibPQ
import Synchronization

/// Notices whether the server announced, between statements, that it is ending the session.
///
/// A backend that is terminated while idle (`pg_terminate_backend`, server shutdown) sends a FATAL error and then
/// closes the socket. libpq passes an error received outside a statement to the connection's notice receiver, and
/// the close may only arrive a moment later; this watch lets ``PostgresConnection/isUsable`` refuse the connection
/// in that moment instead of handing out one that fails its next statement. Notices still reach libpq's previous
/// receiver (by default, printed to stderr).
final class FatalNoticeWatch: Sendable {
    private let sawFatal = Atomic<Bool>(false)
    /// libpq's receiver before ours. libpq's default ignores its argument (it prints through the result's own
    /// notice processor), so it is called without one.
    private let previousReceiver: PQnoticeReceiver?

    var hasSeenFatal: Bool { sawFatal.load(ordering: .relaxed) }

    /// Installs a watch on `handle`. The watch must outlive `handle` (the connection owns both and finishes the
    /// handle first), since libpq calls it through an unretained pointer.
    init(installingOn handle: OpaquePointer) {
        previousReceiver = PQsetNoticeReceiver(handle, nil, nil)  // a null receiver only reads the current one
        PQsetNoticeReceiver(
            handle,
            { argument, result in
                guard let argument, let result else { return }
                Unmanaged<FatalNoticeWatch>.fromOpaque(argument).takeUnretainedValue().receive(result)
            }, Unmanaged.passUnretained(self).toOpaque())
    }

    private func receive(_ result: OpaquePointer) {
        // PG_DIAG_SEVERITY_NONLOCALIZED: "FATAL" or "PANIC" means the session is ending.
        if let severity = PQresultErrorField(result, Int32(UInt8(ascii: "V"))) {
            let text = String(cString: severity)
            if text == "FATAL" || text == "PANIC" { sawFatal.store(true, ordering: .relaxed) }
        }
        previousReceiver?(nil, result)
    }
}
