import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes a connection answered before its request body arrived, instead of reading the rest of the body.
///
/// A request refused before its body is read (a 429 decided from `Content-Length`, a 413, a 401) would otherwise
/// still be read to its end so that the connection can serve the next request: a client that ignores
/// `Retry-After` and resends 1 MiB bodies back to back then costs the server a megabyte of reading and parsing per
/// refusal, which its refusals make fast. As Go's `net/http` does, at most ``drainLimit`` bytes are still read;
/// beyond that the response carries `Connection: close`, the server stops reading, shuts its sending side once the
/// response is written (the client reads the answer and the end of the stream) and closes the connection
/// ``lingerTime`` later. A client still sending then sees the connection reset, as with Go.
final class UnreadBodyHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The most unread body bytes still read (and discarded) to keep the connection for another request.
    static let drainLimit = 256 * 1024
    static let lingerTime = TimeAmount.milliseconds(500)

    /// Body bytes the request still has to send: `nil` once it has ended, `Int.max` when its length is unknown.
    private var unread: Int?
    private var closing = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }  // the rest of a body nobody will read
        switch unwrapInboundIn(data) {
        case .head(let head):
            unread = head.headerFields[.contentLength].flatMap(Int.init) ?? (isChunked(head) ? Int.max : 0)
        case .body(let buffer):
            if let remaining = unread, remaining != Int.max { unread = max(0, remaining - buffer.readableBytes) }
        case .end:
            unread = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where !closing && (unread ?? 0) > Self.drainLimit:
            closing = true
            head.headerFields[.connection] = "close"
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end where closing:
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.cascade(to: promise)
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            written.futureResult.whenComplete { _ in
                let context = loopBound.value
                context.close(mode: .output, promise: nil)
                context.eventLoop.scheduleTask(in: Self.lingerTime) { loopBound.value.close(promise: nil) }
            }
            context.write(data, promise: written)
        default:
            context.write(data, promise: promise)
        }
    }

    private func isChunked(_ head: HTTPRequest) -> Bool {
        head.headerFields[.transferEncoding].map { $0.lowercased().contains("chunked") } ?? false
    }
}
