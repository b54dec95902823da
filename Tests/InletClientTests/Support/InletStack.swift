import Foundation
import InletClient
import InletTestSupport
import Postgres
import Testing

/// The real `inlet-server` (and, when asked, `inlet-worker`) started as processes on a scratch database, with a
/// project and a project key created through the generated client.
final class InletStack: @unchecked Sendable {
    // Mutated only by the test that owns this value, before and after awaiting the processes.
    let databaseURL: String
    let adminToken = "inl_client_admin_" + UUID().uuidString
    let serverPort: Int
    private var processes: [Process] = []
    /// Every process's stderr goes to a file here (`server.log`, `worker.log`), read when a test fails.
    let logDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "inlet-client-\(UUID().uuidString)")
    private(set) var projectID = ""
    private(set) var apiKey = ""

    var serverURL: URL { URL(string: "http://127.0.0.1:\(serverPort)")! }

    private init(databaseURL: String) throws {
        self.databaseURL = databaseURL
        self.serverPort = try freePort()
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: logDirectory) }

    /// Runs `body` with a server on a scratch database (and a worker when `worker`) and a project key.
    static func with(worker: Bool = false, _ body: (InletStack) async throws -> Void) async throws {
        try await TestDatabase.withScratchDatabase { _, database in
            var components = try #require(URLComponents(string: TestDatabase.url))
            components.path = "/" + (try #require(database.databaseName))
            let stack = try InletStack(databaseURL: try #require(components.string))
            defer { stack.stopAll() }
            do {
                try await stack.startServer()
                if worker { try stack.startWorker() }
                try await stack.createProject()
                try await body(stack)
            } catch {
                Issue.record("server log:\n\(stack.log("server"))")
                throw error
            }
        }
    }

    /// A generated client with the project key (or `apiKey`).
    func client(apiKey: String? = nil) -> Client {
        Client(serverURL: serverURL, apiKey: apiKey ?? self.apiKey)
    }

    /// The built executable `name` (`inlet`, `inlet-server`, `inlet-worker`), beside the test bundle.
    static func executable(_ name: String) throws -> URL {
        var directories: [URL] = []
        if let main = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            directories.append(main.deletingLastPathComponent())
        }
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        directories.append(TestDatabase.repositoryRoot.appendingPathComponent(".build/debug"))
        for directory in directories {
            let candidate = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw StackError("\(name) not found in \(directories.map(\.path)); run swift build first")
    }

    func log(_ name: String) -> String {
        (try? String(contentsOf: logDirectory.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
    }

    private func start(_ name: String, arguments: [String] = [], environment extra: [String: String]) throws {
        let process = Process()
        process.executableURL = try Self.executable(name)
        process.arguments = arguments
        process.environment = [
            "DATABASE_URL": databaseURL, "INLET_SECRET_KEY": Self.secretKey, "INLET_ALLOW_PRIVATE_TARGETS": "true",
            "INLET_LOG_LEVEL": "warning", "INLET_MIGRATIONS_DIR": TestDatabase.migrationsDirectory.path,
        ].merging(extra) { $1 }
        let logURL = logDirectory.appendingPathComponent("\(name == "inlet-server" ? "server" : "worker").log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: logURL)
        try process.run()
        processes.append(process)
    }

    /// A fixed, valid `INLET_SECRET_KEY` (32 bytes, base64) for the scratch database's secrets.
    static let secretKey = Data((0..<32).map { UInt8($0) }).base64EncodedString()

    private func startServer() async throws {
        try start(
            "inlet-server", arguments: ["serve"],
            environment: ["INLET_PORT": String(serverPort), "INLET_ADMIN_TOKEN": adminToken])
        let client = client(apiKey: nil)
        try await waitUntil("the server became ready") {
            guard let readiness = try? await client.getReadiness() else { return false }
            if case .ok = readiness { return true }
            return false
        }
    }

    func startWorker() throws {
        try start(
            "inlet-worker",
            environment: [
                "INLET_WORKER_ID": "client-tests", "INLET_WORKER_POLL_INTERVAL_MS": "200",
                "INLET_WORKER_METRICS_PORT": String(try freePort()),
            ])
    }

    /// Creates the test's project and a key for it with the admin token, as an operator would over the API.
    private func createProject() async throws {
        let admin = client(apiKey: adminToken)
        let project = try await admin.createProject(body: .json(.init(name: "client-tests"))).created.body.json
        projectID = project.id
        let key = try await admin.createAPIKey(path: .init(id: project.id), body: .json(.init()))
        apiKey = try key.created.body.json.token
    }

    func stopAll() {
        for process in processes.reversed() where process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}

struct StackError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A TCP port nothing listens on at the moment (bound to port 0 and released).
func freePort() throws -> Int {
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
    guard bound else { throw StackError("no free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Waits until `condition` holds, polling every 50 ms; records an issue and throws after `timeout` (long: under
/// load, on two cores, a process can wait many seconds for a thread; the test asserts states, never speed).
func waitUntil(
    _ what: String, timeout: Duration = .seconds(120), sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    if try await condition() { return }
    Issue.record("not within \(timeout): \(what)", sourceLocation: sourceLocation)
    throw StackError("not within \(timeout): \(what)")
}
