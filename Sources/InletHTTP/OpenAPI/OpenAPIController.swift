import Hummingbird
import NIOCore

/// `GET /openapi.json`: the API's OpenAPI 3.1 document (no authentication).
struct OpenAPIController {
    func addRoutes(to router: Router<InletRequestContext>) {
        router.get("openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.bytes)))
        }
    }
}
