import AsyncHTTPClient
import Foundation
import InletClient
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime

/// One command's connection to the API and its output: calls the generated client and prints the result as JSON
/// or for people.
struct Session {
    let options: GlobalOptions
    let client: Client

    init(_ options: GlobalOptions) {
        self.options = options
        self.client = Client(
            serverURL: URL(string: options.serverURL)!, apiKey: options.resolvedAPIKey, throwingAPIErrors: true,
            transport: AsyncHTTPClientTransport(configuration: .init(client: Self.httpClient)))
    }

    /// The process's HTTP client. Like `HTTPClient.shared` it is never shut down (the process ends instead), but a
    /// server that cannot be reached fails the command at once instead of being retried until the request timeout.
    static let httpClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(10)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    var projectID: String? { options.projectID }

    /// Runs one API call; an error answer becomes a ``CommandError`` naming the API's code, and so does a server
    /// that cannot be reached.
    func call<T>(_ body: (Client) async throws -> T) async throws -> T {
        do {
            return try await body(client)
        } catch {
            throw CommandError(error, serverURL: options.serverURL)
        }
    }

    /// Prints `value` as JSON with `--json`, otherwise the text `human` makes.
    func emit<T: Encodable>(_ value: T, human: () -> String) throws {
        if options.json {
            print(try JSONOutput.text(value, pretty: true))
        } else {
            let text = human()
            if !text.isEmpty { print(text) }
        }
    }
}

/// A failed command: ArgumentParser prints `Error: <description>` and exits with status 1.
struct CommandError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }

    init(_ error: any Error, serverURL: String) {
        if let apiError = InletAPIError(error) {
            description = apiError.description
        } else if let clientError = error as? ClientError {
            let cause = clientError.underlyingError
            if cause is DecodingError {
                description = "the response of \(clientError.operationID) did not decode: \(cause)"
            } else {
                description = "\(clientError.operationID) failed at \(serverURL): \(cause)"
            }
        } else {
            description = "\(error)"
        }
    }
}
