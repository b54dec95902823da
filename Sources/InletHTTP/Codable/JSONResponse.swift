import Foundation
import Hummingbird
import Inlet
import InletStore
import NIOCore

/// JSON responses written with Inlet's own serializer (exact numbers, kept key order).
enum JSONResponse {
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var buffer = ByteBuffer()
        buffer.writeBytes(value.serializedBytes())
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: buffer))
    }

    /// A page of resources, each rendered with its API representation.
    static func page<Resource: ListedResource>(_ result: PageResult<Resource>, request: Request) -> Response {
        page(
            result.items.map(\.json), hasMore: result.hasMore, lastID: result.items.last?.id.lowercasedString,
            request: request)
    }

    /// A list page: a bare array, plus `Link: <…>; rel="next"` when more rows follow.
    static func page(_ items: [JSONValue], hasMore: Bool, lastID: String?, request: Request) -> Response {
        var headers: HTTPFields = [:]
        if hasMore, let lastID {
            var query = request.uri.queryParameters.filter { $0.key != "after" }.map {
                "\($0.key)=\(percentEncode(String($0.value)))"
            }
            query.append("after=\(lastID)")
            headers[.link] = "<\(request.uri.path)?\(query.joined(separator: "&"))>; rel=\"next\""
        }
        return make(.array(items), headers: headers)
    }

    static func percentEncode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                result.append(Character(UnicodeScalar(byte)))
            default:
                result +=
                    "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return result
    }

    static func noContent() -> Response { Response(status: .noContent) }
}

/// A resource listed with keyset pagination: its id is the cursor, `json` its API representation.
protocol ListedResource: Sendable {
    var id: UUID { get }
    var json: JSONValue { get }
}

extension EventSource: ListedResource {}
extension Subscription: ListedResource {}
extension Job: ListedResource {}
extension Project: ListedResource {}
extension APIKey: ListedResource {}
extension Event: ListedResource {}
extension JobRun: ListedResource {}
