import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /console` and `GET /console/{file}`: the web console's static pages, embedded in the binary
/// (``ConsoleAssets``). They hold no data: the page signs in with the user's key and calls the public API, so they
/// need no authentication. `INLET_CONSOLE=false` leaves these routes out (404).
struct ConsoleController {
    /// Only the console's own files: no inline script or style, no frames, no third-party origins.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "font-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    func addRoutes(to router: Router<InletRequestContext>) {
        router.get("console") { _, _ in Self.response(for: "index.html") }
        router.get("console/{file}") { _, context in Self.response(for: context.parameters.get("file") ?? "") }
    }

    static func response(for name: String) -> Response {
        guard let file = ConsoleAssets.files[name] else {
            return Response(
                status: .notFound, headers: headers(contentType: "text/plain; charset=utf-8"),
                body: ResponseBody(byteBuffer: ByteBuffer(string: "not found\n")))
        }
        return Response(
            status: .ok, headers: headers(contentType: file.contentType),
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }

    /// The same strict headers on every console response; `no-store` so that nothing the browser keeps for the
    /// console outlives the session that held a key.
    static func headers(contentType: String) -> HTTPFields {
        var fields = HTTPFields()
        fields[.contentType] = contentType
        fields[.cacheControl] = "no-store"
        fields[HTTPField.Name("Content-Security-Policy")!] = contentSecurityPolicy
        fields[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        fields[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        fields[HTTPField.Name("X-Frame-Options")!] = "DENY"
        fields[HTTPField.Name("Cross-Origin-Opener-Policy")!] = "same-origin"
        return fields
    }
}
