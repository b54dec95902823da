import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request has not arrived in full within a deadline of its head.
///
/// The idle timeout (`INLET_HTTP_IDLE_TIMEOUT_MS`) cuts a client that stops sending; a client that trickles its body
/// a byte at a time never goes idle, and without a deadline could hold a connection and its buffers for as long as it
/// likes. The deadline counts from the request head to the end of the body, both read from the client, so the time the
/// server takes to answer does not count against it. One exception: a body larger than the channel's read buffers is
/// read only as fast as the handler consumes it, so a handler that waits before reading (for a pool connection, at
/// most the acquire timeout, 2 s by default) delays the body's end; the 60 s default leaves ample room for that. Closing without an answer is what nginx's `client_body_timeout`
/// does in effect: the client is not listening any more, or is hostile.
final class RequestDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let deadline: TimeAmount
    private var pending: Scheduled<Void>?

    init(deadline: TimeAmount) {
        self.deadline = deadline
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            pending?.cancel()
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            pending = context.eventLoop.scheduleTask(in: deadline) {
                loopBound.value.close(promise: nil)
            }
        case .body:
            break
        case .end:
            pending?.cancel()
            pending = nil
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        pending?.cancel()
        pending = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        pending?.cancel()
        pending = nil
    }
}
