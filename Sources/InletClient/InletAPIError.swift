import Foundation
import HTTPTypes
import OpenAPIRuntime

/// An error answer of the API: its status and the documented body, `{"error": {"code", "message", "details"}}`.
public struct InletAPIError: Error, Sendable, CustomStringConvertible {
    public let status: Int
    /// Machine-readable: `validation_failed`, `not_found`, `unauthorized`, … (docs/api.md).
    public let code: String
    public let message: String
    public let details: [Components.Schemas.ErrorDetail]

    public init(status: Int, code: String, message: String, details: [Components.Schemas.ErrorDetail] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    /// The API error inside `error`, as thrown by a client made with `throwingAPIErrors` (the runtime wraps what
    /// a middleware throws in a `ClientError`); nil for any other error.
    public init?(_ error: any Error) {
        if let error = error as? InletAPIError {
            self = error
        } else if let error = (error as? ClientError)?.underlyingError as? InletAPIError {
            self = error
        } else {
            return nil
        }
    }

    public var description: String {
        var text = "\(code) (HTTP \(status)): \(message)"
        for detail in details {
            text += "\n  \(detail.path.isEmpty ? "/" : detail.path): \(detail.message)"
            if let keyword = detail.keyword { text += " [\(keyword)]" }
        }
        return text
    }
}

/// Turns every 4xx and 5xx answer into a thrown ``InletAPIError``, decoded from the documented error body.
struct APIErrorMiddleware: ClientMiddleware {
    /// Error bodies are small; a larger one is cut off.
    static let maximumBodyBytes = 1 << 20

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let (response, responseBody) = try await next(request, body, baseURL)
        let status = response.status.code
        guard status >= 400 else { return (response, responseBody) }
        var bytes: [UInt8] = []
        if let responseBody {
            for try await chunk in responseBody where bytes.count < Self.maximumBodyBytes { bytes += chunk }
        }
        if let document = try? JSONDecoder().decode(Components.Schemas._Error.self, from: Data(bytes)) {
            throw InletAPIError(
                status: status, code: document.error.code, message: document.error.message,
                details: document.error.details ?? [])
        }
        let text = String(decoding: bytes.prefix(200), as: UTF8.self)
        throw InletAPIError(status: status, code: "http_\(status)", message: text.isEmpty ? "no body" : text)
    }
}
