/// Wakes one waiting loop; signals sent while it is busy collapse into one, so none is lost and none piles up.
struct WakeSignal: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func signal() { continuation.yield() }

    /// Ends every current and future wait.
    func finish() { continuation.finish() }

    /// The single consumer's view of the signals.
    func makeIterator() -> AsyncStream<Void>.AsyncIterator { stream.makeAsyncIterator() }
}
