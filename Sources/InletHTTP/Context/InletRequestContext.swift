import Hummingbird
import Inlet
import Logging
import NIOCore

/// The context of every request: the request id, and the caller once the auth middleware has resolved it.
public struct InletRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``AuthMiddleware`` from the bearer token.
    public var principal: Principal?
    /// From `X-Request-Id`, or generated; echoed in the response and stored with dispatched events.
    public var requestID: String = ""
    /// Whether the client is still there to read the answer: see ``ClientPresence``.
    public let client: ClientPresence

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.client = ClientPresence(connection: source.channel)
    }

    /// Bodies are read by the handlers with the configured limit (see ``JSONRequestBody``).
    public var maxUploadSize: Int { 64 << 20 }
}

/// The context of `/v1` routes behind authentication: creating it fails with 401 when no valid token was given.
public struct AuthenticatedContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let principal: Principal
    public let requestID: String
    public let client: ClientPresence

    public init(context: InletRequestContext) throws {
        guard let principal = context.principal else {
            throw APIError(.unauthorized, code: "unauthorized", "a valid bearer token is required")
        }
        self.coreContext = context.coreContext
        self.principal = principal
        self.requestID = context.requestID
        self.client = context.client
    }
}

/// Whether anybody still waits for a request's answer: its connection is open and its deadline has not passed.
/// Long evaluations (a tenant's schema and filters against its payload) ask it at their checkpoints and stop
/// when the client hung up, instead of burning a core for nobody.
public struct ClientPresence: Sendable {
    let connection: (any Channel)?
    /// A connection that was never active (in-process test clients) does not count as closed.
    let wasActive: Bool
    let receivedAt = ContinuousClock.now

    init(connection: (any Channel)?) {
        self.connection = connection
        self.wasActive = connection?.isActive ?? false
    }

    /// `true` once the connection closed or `deadline` has passed since the request arrived. Thread-safe and
    /// cheap: one atomic load and a clock read.
    public func isGone(deadline: Duration) -> Bool {
        if wasActive, let connection, !connection.isActive { return true }
        return receivedAt.duration(to: .now) > deadline
    }
}
