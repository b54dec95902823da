import HTTPTypes
import Hummingbird
import InletStore

/// Remembers a valid W3C `traceparent` the request carried, so that dispatch stores it with the event and its runs
/// even when this server records no spans (``TraceContext``). With tracing on, Hummingbird's `TracingMiddleware`
/// (before this one) has already made the request's span a child of it.
struct TraceContextMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        try await TraceContext.withIncoming(request.headers[.traceparent]) { try await next(request, context) }
    }
}

extension HTTPField.Name {
    static let traceparent = Self("traceparent")!
}
