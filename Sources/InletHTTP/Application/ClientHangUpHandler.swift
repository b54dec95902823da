import NIOCore

/// Closes a connection as soon as its client closes its side.
///
/// The server allows remote half-closure (Hummingbird turns it on), so a client that hangs up in the middle of a
/// request only half-closes the connection, which stays active, and the request would be evaluated to the end for
/// nobody. Closing it makes the connection inactive, which the request's ``ClientPresence`` sees at its next
/// checkpoint, and the evaluation stops. A client that shuts down its sending side but still waits for the answer
/// loses it: nginx treats a client's close the same way (`proxy_ignore_client_abort off`, its default).
final class ClientHangUpHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(ChannelEvent.inputClosed) = event as? ChannelEvent {
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }
}
