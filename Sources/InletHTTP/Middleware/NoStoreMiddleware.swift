import HTTPTypes
import Hummingbird

/// `Cache-Control: no-store` on every authenticated API answer: they hold tenant data and, on create and rotate,
/// secrets, which no browser or proxy cache should keep (the console reads them with the user's key).
struct NoStoreMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}
