import AsyncHTTPClient
import Foundation
import Inlet
import InletTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// The real executables, `inlet-server` and `inlet-worker`, started as processes against one scratch database.
final class InletProcesses: @unchecked Sendable {
    // Mutated only by the test that owns this value, before and after awaiting the processes.
    let databaseURL: String
    let secretKey = SecretKey.generate().unredactedBase64
    let adminToken = "inl_e2e_admin_" + UUID().uuidString
    private(set) var server: Process?
    private(set) var serverPort = 0
    private(set) var workers: [String: Process] = [:]

    init(databaseURL: String) { self.databaseURL = databaseURL }

    static func executable(_ name: String) throws -> URL {
        let worker = try WorkerExecutableTests.executable()
        return worker.deletingLastPathComponent().appendingPathComponent(name)
    }

    private func environment(_ extra: [String: String]) -> [String: String] {
        [
            "DATABASE_URL": databaseURL, "INLET_SECRET_KEY": secretKey, "INLET_ALLOW_PRIVATE_TARGETS": "true",
            "INLET_LOG_LEVEL": "warning", "INLET_MIGRATIONS_DIR": TestDatabase.migrationsDirectory.path,
        ].merging(extra) { $1 }
    }

    /// Starts `inlet-server` on a free port and waits for `/readyz`.
    func startServer() async throws {
        serverPort = try Self.freePort()
        let process = Process()
        process.executableURL = try Self.executable("inlet-server")
        process.arguments = ["serve"]
        process.environment = environment(["INLET_PORT": String(serverPort), "INLET_ADMIN_TOKEN": adminToken])
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        server = process
        try await waitUntil(timeout: .seconds(20), "the server became ready") {
            (try? await self.request(.GET, "/readyz", token: nil).status) == 200
        }
    }

    /// Starts an `inlet-worker` with id `id`.
    func startWorker(_ id: String, _ extra: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = try Self.executable("inlet-worker")
        process.environment = environment(
            ["INLET_WORKER_ID": id, "INLET_WORKER_POLL_INTERVAL_MS": "200"].merging(extra) { $1 })
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        workers[id] = process
    }

    func kill(_ id: String, signal: Int32) {
        guard let process = workers[id] else { return }
        Foundation.kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }

    func stopAll() {
        for process in Array(workers.values) + [server].compactMap({ $0 }) where process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    struct Reply: Sendable {
        let status: Int
        let body: JSONValue?
        subscript(key: String) -> JSONValue? { body?[key] }
    }

    /// One API call with JSON in and out.
    func request(_ method: HTTPMethod, _ path: String, json: JSONValue? = nil, token: String?) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(serverPort)\(path)")
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: json.serializedBytes()))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
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
