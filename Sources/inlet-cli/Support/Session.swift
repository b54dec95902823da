import AsyncHTTPClient
import Foundation
import HTTPTypes
import InletClient
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime
import Synchronization

/// One command's connection to the API and its output: calls the generated client and prints the result as JSON
/// or for people.
struct Session {
    let options: GlobalOptions
    let client: Client

    init(_ options: GlobalOptions) {
        self.options = options
        self.client = Client(
            serverURL: URL(string: options.serverURL)!, apiKey: options.resolvedAPIKey, throwingAPIErrors: true,
            transport: AsyncHTTPClientTransport(configuration: .init(client: Self.httpClient)),
            middlewares: [recorder])
    }

    /// The last answer's body, for `--json`.
    private let recorder = ResponseRecorder()

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

    /// Prints the API's JSON answer with `--json` (as the server wrote it: `null` members included), otherwise the
    /// text `human` makes of `value`.
    func emit<T: Encodable>(_ value: T, human: () -> String) throws {
        if options.json {
            if let body = recorder.lastBody {
                print(String(decoding: body, as: UTF8.self))
            } else {
                print(try JSONOutput.text(value, pretty: true))
            }
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

/// Keeps the body of the last answer, passing it on unchanged.
final class ResponseRecorder: ClientMiddleware {
    private let body = Mutex<[UInt8]?>(nil)

    var lastBody: [UInt8]? { body.withLock { $0 } }

    func intercept(
        _ request: HTTPRequest, body requestBody: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let (response, responseBody) = try await next(request, requestBody, baseURL)
        guard let responseBody else { return (response, nil) }
        let bytes = try await [UInt8](collecting: responseBody, upTo: 64 << 20)
        body.withLock { $0 = bytes }
        return (response, HTTPBody(bytes))
    }
}
