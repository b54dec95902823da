import AsyncHTTPClient
import Foundation
import Inlet
import InletTestSupport
import NIOCore
import NIOHTTP1
import Postgres
import Testing

/// The real executables, `inlet-server` and `inlet-worker`, started as processes against one scratch database.
final class InletProcesses: @unchecked Sendable {
    // Mutated only by the test that owns this value, before and after awaiting the processes.
    let databaseURL: String
    let secretKey = SecretKey.generate().unredactedBase64
    let adminToken = "inl_e2e_admin_" + UUID().uuidString
    /// `INLET_LOG_LEVEL` of the processes started from now on.
    var logLevel = "warning"
    /// More environment for the processes started from now on.
    var extraEnvironment: [String: String] = [:]
    /// Every `inlet-server` started, in order; all share the database (several API nodes).
    private(set) var servers: [Process] = []
    private(set) var serverPorts: [Int] = []
    /// The first server's port.
    var serverPort: Int { serverPorts.first ?? 0 }
    private(set) var workers: [String: Process] = [:]
    /// Each worker's metrics and health port.
    private(set) var workerMetricsPorts: [String: Int] = [:]
    /// Every process's stderr goes to a file here (`server.log`, `worker-<id>.log`).
    let logDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("inlet-e2e-\(UUID().uuidString)")

    init(databaseURL: String) {
        self.databaseURL = databaseURL
        try? FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: logDirectory) }

    /// What the server (`"server"`) or a worker (`"worker-<id>"`) has logged so far.
    func log(_ name: String) -> String {
        (try? String(contentsOf: logDirectory.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
    }

    private func logFile(_ name: String) throws -> FileHandle {
        let url = logDirectory.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        return try FileHandle(forWritingTo: url)
    }

    /// Runs `body` with a server started on a scratch database and a project key (`configure` runs before the
    /// server starts).
    static func withStack(
        _ configure: (InletProcesses) -> Void = { _ in },
        _ body: (InletProcesses, _ key: String, _ pool: PostgresPool) async throws -> Void
    ) async throws {
        try await TestDatabase.withScratchDatabase { pool, database in
            let stack = InletProcesses(
                databaseURL: try WorkerExecutableTests.url(forDatabase: try #require(database.databaseName)))
            defer { stack.stopAll() }
            configure(stack)
            try await stack.startServer()
            let project = try await stack.request(.POST, "/v1/projects", json: ["name": "e2e"], token: stack.adminToken)
            let projectID = try #require(project["id"]?.stringValue)
            let key = try await stack.request(
                .POST, "/v1/projects/\(projectID)/api-keys", json: [:], token: stack.adminToken)
            try await body(stack, try #require(key["token"]?.stringValue), pool)
        }
    }

    static func executable(_ name: String) throws -> URL {
        let worker = try WorkerExecutableTests.executable()
        return worker.deletingLastPathComponent().appendingPathComponent(name)
    }

    private func environment(_ extra: [String: String]) -> [String: String] {
        [
            "DATABASE_URL": databaseURL, "INLET_SECRET_KEY": secretKey, "INLET_ALLOW_PRIVATE_TARGETS": "true",
            "INLET_LOG_LEVEL": logLevel, "INLET_MIGRATIONS_DIR": TestDatabase.migrationsDirectory.path,
        ].merging(extraEnvironment) { $1 }.merging(extra) { $1 }
    }

    /// Starts an `inlet-server` on a free port and waits for `/readyz`; returns its node number for `request`.
    @discardableResult
    func startServer() async throws -> Int {
        let node = servers.count
        let serverPort = try Self.freePort()
        let process = Process()
        process.executableURL = try Self.executable("inlet-server")
        process.arguments = ["serve"]
        process.environment = environment(["INLET_PORT": String(serverPort), "INLET_ADMIN_TOKEN": adminToken])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try logFile(node == 0 ? "server" : "server-\(node)")
        try process.run()
        servers.append(process)
        serverPorts.append(serverPort)
        try await waitUntil("the server became ready") {
            (try? await self.request(.GET, "/readyz", token: nil, node: node).status) == 200
        }
        return node
    }

    /// Starts an `inlet-worker` with id `id`, its metrics and health port on a free port.
    func startWorker(_ id: String, _ extra: [String: String] = [:]) throws {
        let metricsPort = try Self.freePort()
        let process = Process()
        process.executableURL = try Self.executable("inlet-worker")
        process.environment = environment(
            [
                "INLET_WORKER_ID": id, "INLET_WORKER_POLL_INTERVAL_MS": "200",
                "INLET_WORKER_METRICS_PORT": String(metricsPort),
            ].merging(extra) { $1 })
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try logFile("worker-\(id)")
        try process.run()
        workers[id] = process
        workerMetricsPorts[id] = metricsPort
    }

    /// `GET` of a path on a worker's metrics port: status and body text (status 0 while nothing listens).
    func workerGet(_ id: String, _ path: String) async -> (status: Int, text: String) {
        guard let port = workerMetricsPorts[id] else { return (0, "") }
        return await Self.get("http://127.0.0.1:\(port)\(path)")
    }

    /// `GET` of a path on the server: status and body text.
    func serverGet(_ path: String, token: String? = nil) async -> (status: Int, text: String) {
        await Self.get("http://127.0.0.1:\(serverPort)\(path)", token: token)
    }

    static func get(_ url: String, token: String? = nil) async -> (status: Int, text: String) {
        var request = HTTPClientRequest(url: url)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 24)
            return (Int(response.status.code), String(buffer: body))
        } catch {
            return (0, "")
        }
    }

    func kill(_ id: String, signal: Int32) {
        guard let process = workers[id] else { return }
        Foundation.kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }

    func stopAll() {
        for process in Array(workers.values) + servers where process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    struct Reply: Sendable {
        let status: Int
        let body: JSONValue?
        subscript(key: String) -> JSONValue? { body?[key] }
    }

    /// One API call with JSON in and out (or a raw body, as a webhook sender posts it), to server `node`.
    func request(
        _ method: HTTPMethod, _ path: String, json: JSONValue? = nil, rawBody: String? = nil, token: String?,
        headers: [String: String] = [:], node: Int = 0
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(serverPorts[node])\(path)")
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: json.serializedBytes()))
        } else if let rawBody {
            if !headers.keys.contains(where: { $0.lowercased() == "content-type" }) {
                request.headers.add(name: "Content-Type", value: "application/json")
            }
            request.body = .bytes(ByteBuffer(string: rawBody))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 22)
        let parsed = body.readableBytes == 0 ? nil : try? JSONValue(parsing: Array(body.readableBytesView))
        return Reply(status: Int(response.status.code), body: parsed)
    }

    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw FixtureError(message: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
