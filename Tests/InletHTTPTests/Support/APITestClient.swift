import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Inlet
import InletHTTP
import InletTestSupport
import Logging
import NIOCore
import Testing

/// A response as tests see it: status, headers and the body parsed as JSON (when it is JSON).
struct APIResponse: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: JSONValue?
    let text: String

    subscript(key: String) -> JSONValue? { body?[key] }
    var errorCode: String? { body?["error"]?["code"]?.stringValue }
    var idString: String { body?["id"]?.stringValue ?? "" }
}

/// Drives the real router (`app.test(.router)`) with JSON requests and an optional bearer token.
struct APITestClient: Sendable {
    let client: any TestClientProtocol
    var token: String?

    func withToken(_ token: String?) -> APITestClient { APITestClient(client: client, token: token) }

    @discardableResult
    func request(
        _ method: HTTPRequest.Method, _ uri: String, json: JSONValue? = nil, rawBody: String? = nil,
        rawBytes: [UInt8]? = nil, headers extraHeaders: HTTPFields = [:]
    ) async throws -> APIResponse {
        var headers = extraHeaders
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let json {
            body = ByteBuffer(bytes: json.serializedBytes())
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        } else if let rawBody {
            body = ByteBuffer(string: rawBody)
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        } else if let rawBytes {
            body = ByteBuffer(bytes: rawBytes)
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body) { response in
            let text = String(buffer: response.body)
            let parsed = text.isEmpty ? nil : try? JSONValue(parsing: text)
            return APIResponse(status: response.status, headers: response.headers, body: parsed, text: text)
        }
    }

    func get(_ uri: String) async throws -> APIResponse { try await request(.get, uri) }
    func post(_ uri: String, _ json: JSONValue) async throws -> APIResponse {
        try await request(.post, uri, json: json)
    }
    func patch(_ uri: String, _ json: JSONValue) async throws -> APIResponse {
        try await request(.patch, uri, json: json)
    }
    func delete(_ uri: String) async throws -> APIResponse { try await request(.delete, uri) }
}

/// A project with its own key, created through the admin API.
struct TestProject: Sendable {
    let id: String
    let api: APITestClient
}

enum TestApp {
    static let adminToken = "inl_test_admin_token_0123456789abcdefghijklmnop"
    static let secretKey = String(repeating: "ab", count: 32)

    static func configuration(_ adjust: (inout ServerConfiguration) -> Void = { _ in }) -> ServerConfiguration {
        var configuration = ServerConfiguration(
            port: 0, databaseURL: TestDatabase.url, databasePoolSize: 8, secretKey: secretKey, adminToken: adminToken,
            allowPrivateTargets: true, logLevel: .warning)
        // Requests queued for a pool connection wait up to a minute, not the production 2 s: on a loaded machine the
        // tasks holding the connections can wait that long for a thread. Tests of the timeout set their own.
        configuration.databaseAcquireTimeoutMilliseconds = 60_000
        adjust(&configuration)
        return configuration
    }

    /// Runs `body` against the real application on the shared, migrated test database, with an admin client.
    static func run(
        configuration: ServerConfiguration = TestApp.configuration(),
        _ body: @escaping @Sendable (APITestClient) async throws -> Void
    ) async throws {
        try await migrateOnce()
        var logger = Logger(label: "inlet.test")
        logger.logLevel = configuration.logLevel
        let app = try await buildApplication(configuration: configuration, logger: logger)
        try await app.test(.router) { client in
            try await body(APITestClient(client: client, token: adminToken))
        }
    }

    /// Creates a project and a project key for it.
    static func project(_ admin: APITestClient, name: String = "test") async throws -> TestProject {
        let project = try await admin.post("/v1/projects", ["name": .string(name)])
        try #require(project.status == .created, "creating a project failed: \(project.text)")
        let key = try await admin.post("/v1/projects/\(project.idString)/api-keys", ["name": "test"])
        try #require(key.status == .created, "creating a key failed: \(key.text)")
        return TestProject(id: project.idString, api: admin.withToken(key["token"]?.stringValue))
    }

    private static let migration = Task { () throws -> Void in
        let pool = try await TestDatabase.migratedPool(.init(maxConnections: 1))
        await pool.shutdown()
    }

    static func migrateOnce() async throws { try await migration.value }
}
