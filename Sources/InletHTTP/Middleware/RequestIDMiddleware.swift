import Foundation
import HTTPTypes
import Hummingbird

/// Takes the request id from `X-Request-Id` (when sane) or makes one, logs with it and returns it.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = InletRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        let supplied = request.headers[.requestID].flatMap { value -> String? in
            let valid =
                !value.isEmpty && value.utf8.count <= 128
                && value.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
            return valid ? value : nil
        }
        let requestID = supplied ?? UUID().uuidString.lowercased()
        context.requestID = requestID
        context.logger[metadataKey: "request_id"] = .string(requestID)
        var response = try await next(request, context)
        response.headers[.requestID] = requestID
        return response
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
    static let idempotencyKey = Self("Idempotency-Key")!
    static let link = Self("Link")!
}
