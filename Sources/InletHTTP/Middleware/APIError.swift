import Hummingbird
import Inlet

/// An error answered to the client as `{"error": {"code", "message", "details"}}`. Its text is written for
/// clients; internal errors never become one with their own text.
public struct APIError: Error, HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public let details: [ValidationIssue]
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, _ message: String, details: [ValidationIssue] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    public static func notFound(_ what: String = "resource") -> APIError {
        APIError(.notFound, code: "not_found", "\(what) not found")
    }

    public static func badRequest(_ message: String, details: [ValidationIssue] = []) -> APIError {
        APIError(.badRequest, code: "bad_request", message, details: details)
    }

    public static func validation(_ error: ValidationError) -> APIError {
        APIError(.unprocessableContent, code: "validation_failed", error.message, details: error.issues)
    }

    public var json: JSONValue {
        var error = JSONObject([("code", .string(code)), ("message", .string(message))])
        if !details.isEmpty {
            error["details"] = .array(
                details.map { detail in
                    var object = JSONObject([("path", .string(detail.path)), ("message", .string(detail.message))])
                    if let keyword = detail.keyword { object["keyword"] = .string(keyword) }
                    return .object(object)
                })
        }
        return .object(JSONObject([("error", .object(error))]))
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONResponse.make(json, status: status)
        response.headers.append(contentsOf: headers)
        return response
    }
}
