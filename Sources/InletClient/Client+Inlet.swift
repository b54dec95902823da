import Foundation
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime

extension Client {
    /// A client of the Inlet server at `serverURL` (such as `http://127.0.0.1:8080`) that authenticates with
    /// `apiKey` (a project or admin key) and reads Inlet's timestamps.
    ///
    /// With `throwingAPIErrors`, every 4xx or 5xx answer throws an ``InletAPIError`` (wrapped in the runtime's
    /// `ClientError`; see ``InletAPIError/init(_:)``) instead of returning its documented output case. `middlewares`
    /// run after those.
    public init(
        serverURL: URL, apiKey: String?, throwingAPIErrors: Bool = false,
        transport: any ClientTransport = AsyncHTTPClientTransport(), middlewares more: [any ClientMiddleware] = []
    ) {
        var middlewares: [any ClientMiddleware] = []
        if let apiKey { middlewares.append(BearerTokenMiddleware(token: apiKey)) }
        if throwingAPIErrors { middlewares.append(APIErrorMiddleware()) }
        self.init(serverURL: serverURL, configuration: .inlet, transport: transport, middlewares: middlewares + more)
    }
}

extension Configuration {
    /// The runtime configuration Inlet's API needs: RFC 3339 timestamps with or without milliseconds.
    public static var inlet: Configuration {
        Configuration(dateTranscoder: RFC3339DateTranscoder())
    }
}
