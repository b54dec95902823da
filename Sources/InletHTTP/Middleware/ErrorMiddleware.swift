import Hummingbird
import Inlet
import InletStore
import Logging
import NIOCore
import Postgres

/// Turns every error into Inlet's JSON error body, and logs what the client does not see.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            let apiError = Self.apiError(for: error, logger: context.logger)
            return try apiError.response(from: request, context: context)
        }
    }

    static func apiError(for error: any Error, logger: Logger) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as ValidationError:
            return .validation(error)
        case let error as StoreError:
            switch error.code {
            case .notFound: return APIError(.notFound, code: "not_found", error.message)
            case .conflict: return APIError(.conflict, code: "conflict", error.message)
            case .invalid:
                return APIError(.unprocessableContent, code: "validation_failed", error.message, details: error.issues)
            }
        case let error as PostgresError:
            switch error.code {
            case .invalidInput:
                // A value PostgreSQL cannot take (a NUL in a string, a number out of range) that no repository
                // translated: still the client's input, never a 500.
                logger.info("input refused by the database", metadata: ["error": "\(error)"])
                return APIError(
                    .unprocessableContent, code: "validation_failed",
                    "a value cannot be stored: strings must not contain \\u0000 and numbers must be within range")
            case .poolExhausted, .connectionFailure, .poolClosed:
                logger.warning("database unavailable", metadata: ["error": "\(error)"])
                var apiError = APIError(
                    .serviceUnavailable, code: "unavailable", "the database is unavailable; retry later")
                apiError.headers[.retryAfter] = "1"
                return apiError
            case .queryCancelled:
                // INLET_STATEMENT_TIMEOUT_MS ran out (or the request was cancelled while its statement ran).
                logger.warning("database statement cancelled", metadata: ["error": "\(error)"])
                var apiError = APIError(
                    .serviceUnavailable, code: "unavailable", "the database took too long to answer; retry later")
                apiError.headers[.retryAfter] = "1"
                return apiError
            case .deadlockDetected, .serializationFailure:
                // Two statements took the same locks (ordering keys, job state rows) in opposite orders; the
                // database aborted this one. Nothing was stored: retrying is safe.
                logger.warning("database statement aborted by a conflict", metadata: ["error": "\(error)"])
                var apiError = APIError(
                    .serviceUnavailable, code: "unavailable", "a concurrent change conflicted; retry")
                apiError.headers[.retryAfter] = "1"
                return apiError
            default:
                logger.error("database error", metadata: ["error": "\(error)"])
                return APIError(.internalServerError, code: "internal", "internal error")
            }
        case let error as DispatchRateLimited:
            var apiError = APIError(.tooManyRequests, code: "rate_limited", error.description)
            apiError.headers[.retryAfter] = String(error.retryAfterSeconds)
            return apiError
        case let error as WorkBudgetError:
            switch error.code {
            case .exhausted:
                return APIError(.unprocessableContent, code: error.code.rawValue, error.message)
            case .cancelled:
                // The client hung up (it will not read this) or the request's deadline passed.
                return APIError(
                    .serviceUnavailable, code: "unavailable", "the request was cancelled before it finished")
            }
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, code: "payload_too_large", "the request body is too large")
        case let error as HTTPError:
            switch error.status {
            case .notFound: return APIError(.notFound, code: "not_found", "no such route")
            case .methodNotAllowed: return APIError(.methodNotAllowed, code: "method_not_allowed", "method not allowed")
            case .contentTooLarge:
                return APIError(.contentTooLarge, code: "payload_too_large", "the request body is too large")
            default:
                return APIError(error.status, code: "http_error", error.body ?? error.status.reasonPhrase)
            }
        case is CancellationError:
            return APIError(.serviceUnavailable, code: "unavailable", "the request was cancelled")
        default:
            logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return APIError(.internalServerError, code: "internal", "internal error")
        }
    }
}
