import Foundation
import Hummingbird
import Logging

/// One log line per request, those ended by an error included: method, route template, status, duration, and the
/// error code of an error answer (request id and project in metadata). Errors thrown inside it become Inlet's JSON
/// error answers here, so that the line gives the status the client got.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = InletRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let started = ContinuousClock.now
        let response: Response
        var errorCode: String?
        do {
            response = try await next(request, context)
        } catch {
            let apiError = ErrorMiddleware<Context>.apiError(for: error, logger: context.logger)
            errorCode = apiError.code
            response = try apiError.response(from: request, context: context)
        }
        let elapsed = started.duration(to: .now)
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue),
            "route": .string(context.endpointPath ?? request.uri.path),
            "status": .stringConvertible(response.status.code),
            "duration_ms": .stringConvertible((milliseconds * 100).rounded() / 100),
        ]
        if let errorCode { metadata["error_code"] = .string(errorCode) }
        context.logger.info("request", metadata: metadata)
        return response
    }
}
