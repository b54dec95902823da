import Hummingbird
import Inlet
import Logging

/// The context of every request: the request id, and the caller once the auth middleware has resolved it.
public struct InletRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``AuthMiddleware`` from the bearer token.
    public var principal: Principal?
    /// From `X-Request-Id`, or generated; echoed in the response and stored with dispatched events.
    public var requestID: String = ""

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// Bodies are read by the handlers with the configured limit (see ``JSONRequestBody``).
    public var maxUploadSize: Int { 64 << 20 }
}

/// The context of `/v1` routes behind authentication: creating it fails with 401 when no valid token was given.
public struct AuthenticatedContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let principal: Principal
    public let requestID: String

    public init(context: InletRequestContext) throws {
        guard let principal = context.principal else {
            throw APIError(.unauthorized, code: "unauthorized", "a valid bearer token is required")
        }
        self.coreContext = context.coreContext
        self.principal = principal
        self.requestID = context.requestID
    }
}
