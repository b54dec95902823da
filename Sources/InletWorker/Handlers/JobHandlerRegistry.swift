import Inlet

/// The handlers a worker executes runs with, by job kind.
///
/// `noop` is built in and completes inline (no task, no hop), so it costs the worker nothing beyond the claim and
/// the batched completion. `http` is registered by ``WorkerApplication`` with the shared HTTP client. A run of a
/// kind with no handler fails its attempt with an error naming the kind.
public struct JobHandlerRegistry: Sendable {
    enum Entry: Sendable {
        /// The built-in `noop`: succeeds at once, executed in the claim loop.
        case inlineSuccess
        case handler(any JobHandler)
    }

    private(set) var entries: [JobKind: Entry] = [.noop: .inlineSuccess]

    public init() {}

    /// Uses `handler` for runs of `kind`, replacing any handler registered for it (including a built-in one).
    public mutating func register(_ handler: any JobHandler, for kind: JobKind) {
        entries[kind] = .handler(handler)
    }

    /// Whether runs of `kind` can be executed.
    public func handles(_ kind: JobKind) -> Bool { entries[kind] != nil }

    /// The kinds with a handler, sorted.
    public var kinds: [JobKind] { entries.keys.sorted { $0.rawValue < $1.rawValue } }

    func entry(for kind: JobKind) -> Entry? { entries[kind] }
}
