import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Inlet
import InletConfiguration
import InletTestSupport
import Logging
import Postgres
import Testing

@testable import InletHTTP

#if canImport(Glibc)
    import Glibc
#endif

/// The server under more load than it has resources for, over real HTTP: more slow requests than pool
/// connections, and clients that stall in the middle of a request.
@Suite struct OverloadTests {
    /// Runs `body` against the real application on a real socket, with an HTTP client that sends requests
    /// concurrently (AsyncHTTPClient) and the port for raw clients.
    static func live(
        _ adjust: (inout ServerConfiguration) -> Void,
        _ body: @escaping @Sendable (any TestClientProtocol, Int) async throws -> Void
    ) async throws {
        try await TestApp.migrateOnce()
        let configuration = TestApp.configuration(adjust)
        var logger = Logger(label: "inlet.test")
        logger.logLevel = .critical  // exhaustion is logged as a warning per request; not interesting here
        let app = try await buildApplication(configuration: configuration, logger: logger)
        try await app.test(.ahc(.http)) { client in
            try await body(client, try #require(client.port))
        }
    }

    struct Answer: Sendable {
        let status: HTTPResponse.Status
        let code: String?
        let retryAfter: String?
        let seconds: Double
    }

    /// More concurrent requests than connections, each blocked on a row lock held by another session: those that
    /// got a connection wait for the lock, the others get 503 `unavailable` after the acquire timeout — not a
    /// hang — and once the lock goes, the blocked ones finish and the server serves normally.
    @Test func anExhaustedPoolAnswers503AfterTheAcquireTimeoutAndRecovers() async throws {
        let poolSize = 2
        let requests = 6
        try await Self.live({
            $0.databasePoolSize = poolSize
            $0.databaseAcquireTimeoutMilliseconds = 400
        }) { client, _ in
            let admin = APITestClient(client: client, token: TestApp.adminToken)
            let project = try await TestApp.project(admin, name: "overload")
            let job = try await project.api.post("/v1/jobs", ["name": "locked", "kind": "noop"]).idString
            let lock = try await JobRowLock(job: job)

            let started = ContinuousClock.now
            let answers = try await withThrowingTaskGroup(of: Answer.self) { group in
                for index in 0..<requests {
                    group.addTask {
                        // The admin token needs no database to authenticate, so only the handlers compete.
                        let response = try await admin.patch(
                            "/v1/jobs/\(job)?project_id=\(project.id)", ["name": .string("renamed-\(index)")])
                        return Answer(
                            status: response.status, code: response.errorCode,
                            retryAfter: response.headers[.retryAfter],
                            seconds: (ContinuousClock.now - started).seconds)
                    }
                }
                var answers: [Answer] = []
                for try await answer in group {
                    answers.append(answer)
                    // Everyone who could not get a connection has answered: let the blocked ones through.
                    if answers.count(where: { $0.status == .serviceUnavailable }) == requests - poolSize {
                        lock.letGo()
                    }
                }
                lock.letGo()
                return answers
            }
            try await lock.release()

            let unavailable = answers.filter { $0.status == .serviceUnavailable }
            let succeeded = answers.filter { $0.status == .ok }
            print(
                "pool exhaustion: \(requests) requests on \(poolSize) connections → "
                    + "\(unavailable.count) × 503 (within \(unavailable.map(\.seconds).max() ?? 0) s), "
                    + "\(succeeded.count) × 200 after the lock was released")
            #expect(unavailable.count == requests - poolSize, "\(answers.map(\.status))")
            #expect(succeeded.count == poolSize, "\(answers.map(\.status))")
            for answer in unavailable {
                #expect(answer.code == "unavailable")
                #expect(answer.retryAfter == "1")
                // Not a hang (the lock is held until every 503 is in); loose, as the test's task can wait for a thread.
                #expect(answer.seconds < 120, "a 503 took \(answer.seconds) s")
            }
            // Load gone: the server serves normally, without a restart.
            #expect(try await project.api.get("/v1/jobs/\(job)").status == .ok)
            #expect(try await project.api.get("/v1/jobs").status == .ok)
            #expect(try await admin.get("/readyz").status == .ok)
        }
    }

    /// A client that sends a request's headers and part of its body and then stalls, one that never finishes its
    /// headers, and an idle keep-alive connection: each is closed by the server after `INLET_HTTP_IDLE_TIMEOUT_MS`.
    @Test func stalledClientsAreCutOffAfterTheIdleTimeout() async throws {
        try await Self.live({ $0.httpIdleTimeoutMilliseconds = 500 }) { client, port in
            let halfBody =
                "POST /v1/jobs HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(TestApp.adminToken)\r\n"
                + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"name\": \"sl"
            let halfHeaders = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: "
            let idle = ""
            for (name, request) in [("stalled body", halfBody), ("stalled headers", halfHeaders), ("idle", idle)] {
                // Before connecting: the server's timer starts after that, so no close can come sooner than 500 ms.
                let started = ContinuousClock.now
                let socket = try RawSocket(port: port)
                defer { socket.close() }
                try socket.send(request)
                let closed = try await socket.waitForClose(within: .seconds(120))
                let elapsed = ContinuousClock.now - started
                print("read timeout: \(name) connection closed after \(elapsed)")
                #expect(closed, "\(name): the server kept the connection open for 120 s")
                #expect(elapsed >= .milliseconds(300), "\(name): closed before the idle timeout")
            }
            // A well-behaved client on the same server is unaffected.
            #expect(try await client.execute(uri: "/healthz", method: .get) { $0.status } == .ok)
        }
    }

    /// A request answered before most of its body arrived (here a 413 decided from `Content-Length`, as a 429 of
    /// the byte quota is) gets its answer with `Connection: close` and then the end of the stream: the server does
    /// not wait for, read and discard the rest of the body. A small unread remainder is still drained, keeping the
    /// connection for the next request. (The idle timeout is a minute, so a close seen here is the handler's.)
    @Test func aRequestAnsweredBeforeItsLargeBodyIsClosedRatherThanDrained() async throws {
        try await Self.live({ $0.httpIdleTimeoutMilliseconds = 60_000 }) { client, port in
            let head = { (length: Int) in
                "POST /v1/events/dispatch HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(TestApp.adminToken)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: \(length)\r\n\r\n"
            }
            let large = try RawSocket(port: port)
            defer { large.close() }
            try large.send(head(50 << 20) + String(repeating: " ", count: 1024))
            let answer = try await large.readAvailable(within: .seconds(30))
            #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer)")
            #expect(answer.lowercased().contains("connection: close"), "\(answer)")
            #expect(try await large.waitForClose(within: .seconds(30)), "the server waited for the rest of the body")

            // A request whose body arrived in full keeps its connection for the next request.
            let small = try RawSocket(port: port)
            defer { small.close() }
            try small.send(head(2) + "{}")
            let first = try await small.readAvailable(within: .seconds(30))
            #expect(!first.lowercased().contains("connection: close"), "\(first)")
            try small.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let second = try await small.readAvailable(within: .seconds(30))
            #expect(second.contains("HTTP/1.1 200"), "\(second)")
            #expect(try await client.execute(uri: "/healthz", method: .get) { $0.status } == .ok)
        }
    }

    /// A client that trickles its body one byte per 200 ms, each well within the idle timeout, is cut once the
    /// request deadline (`INLET_HTTP_REQUEST_TIMEOUT_MS`) from its head has passed; one that trickles but finishes
    /// well in time is answered normally. The margins are seconds wide, and both clients keep time on threads of
    /// their own (the server's deadline runs on its event loop), so a busy concurrency pool cannot make the
    /// punctual client late: the test asserts what happened to each client, not how fast.
    @Test func aTricklingClientIsCutAtTheRequestDeadline() async throws {
        let deadline = Duration.seconds(6)
        try await Self.live({
            $0.httpIdleTimeoutMilliseconds = 4000
            $0.httpRequestTimeoutMilliseconds = 6000
        }) { client, port in
            let head = { (length: Int) in
                "POST /v1/projects HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(TestApp.adminToken)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: \(length)\r\n\r\n"
            }
            // In time: its last 5 bytes 100 ms apart, about half a second against the 6 s deadline.
            let short = #"{"name":"x"}"#
            let start = head(short.utf8.count) + short.dropLast(5)
            let punctual = try RawSocket(port: port)
            defer { punctual.close() }
            try await onOwnThread {
                try punctual.send(start)
                for character in short.suffix(5) {
                    usleep(100_000)
                    try punctual.send(String(character))
                }
            }
            let answer = try await punctual.readAvailable(within: .seconds(120))
            #expect(answer.hasPrefix("HTTP/1.1 201"), "\(answer)")

            // Too slow: a byte every 200 ms until it is cut (its 10,000-byte body would take over half an hour).
            let trickleHead = head(10_000)
            let (cut, elapsed) = try await onOwnThread { () throws -> (Bool, Duration) in
                let started = ContinuousClock.now  // before the head is sent, so before the server's deadline starts
                let trickler = try RawSocket(port: port)
                defer { trickler.close() }
                try trickler.send(trickleHead)
                while started.duration(to: .now) < .seconds(120) {
                    usleep(200_000)
                    if (try? trickler.send("a")) == nil || trickler.isClosed {
                        return (true, started.duration(to: .now))
                    }
                }
                return (false, started.duration(to: .now))
            }
            print("request deadline: trickling client cut after \(elapsed)")
            #expect(cut, "a client trickling its body was not cut within 120 s")
            #expect(elapsed >= deadline, "cut after \(elapsed), before the request deadline")
            #expect(try await client.execute(uri: "/healthz", method: .get) { $0.status } == .ok)
        }
    }
}

/// Runs `body` on a thread of its own and waits for it without holding a thread of the concurrency pool: a raw
/// client's timing then depends on the kernel's scheduler only.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

/// A blocking TCP client on a raw socket, polled without blocking the test's thread for long.
final class RawSocket: Sendable {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw RawSocketError(message: "socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            Glibc.close(descriptor)
            throw RawSocketError(message: "connect: \(errno)")
        }
    }

    func send(_ text: String) throws {
        guard !text.isEmpty else { return }
        let bytes = Array(text.utf8)
        let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw RawSocketError(message: "send: \(sent), errno \(errno)") }
    }

    /// Reads until the peer closes the connection; `false` when it is still open after `limit`.
    func waitForClose(within limit: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            switch readNow() {
            case .closed: return true
            case .data, .nothing: try await Task.sleep(for: .milliseconds(20))
            }
        }
        return false
    }

    /// What the peer has sent once something arrives (or the connection closes), up to `limit`.
    func readAvailable(within limit: Duration) async throws -> String {
        let deadline = ContinuousClock.now + limit
        var received: [UInt8] = []
        while ContinuousClock.now < deadline {
            switch readNow() {
            case .closed: return String(decoding: received, as: UTF8.self)
            case .data(let bytes):
                received += bytes
                if String(decoding: received, as: UTF8.self).contains("\r\n\r\n") {
                    return String(decoding: received, as: UTF8.self)
                }
            case .nothing: try await Task.sleep(for: .milliseconds(20))
            }
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Whether the peer has closed the connection (data it sent is read and dropped).
    var isClosed: Bool {
        if case .closed = readNow() { return true }
        return false
    }

    enum Read { case closed, data([UInt8]), nothing }

    private func readNow() -> Read {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if count > 0 { return .data(Array(buffer[0..<count])) }
        if count == 0 { return .closed }
        return errno == EAGAIN || errno == EWOULDBLOCK ? .nothing : .closed
    }

    func close() { Glibc.close(descriptor) }
}

extension Duration {
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

struct RawSocketError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

extension OverloadTests {
    @Test func theTimeoutsAreConfigurable() throws {
        let base = ["DATABASE_URL": "postgres://x@localhost/y", "INLET_SECRET_KEY": String(repeating: "a", count: 64)]
        let defaults = try ServerConfiguration(environment: base)
        #expect(defaults.httpIdleTimeoutMilliseconds == 30_000)
        #expect(defaults.httpRequestTimeoutMilliseconds == 60_000)
        let set = base.merging(["INLET_HTTP_IDLE_TIMEOUT_MS": "1500", "INLET_HTTP_REQUEST_TIMEOUT_MS": "2500"]) { $1 }
        #expect(try ServerConfiguration(environment: set).httpIdleTimeoutMilliseconds == 1500)
        #expect(try ServerConfiguration(environment: set).httpRequestTimeoutMilliseconds == 2500)
        for variable in ["INLET_HTTP_IDLE_TIMEOUT_MS", "INLET_HTTP_REQUEST_TIMEOUT_MS"] {
            for bad in ["0", "soon", "-1"] {
                #expect(throws: ConfigurationError.self) {
                    try ServerConfiguration(environment: base.merging([variable: bad]) { $1 })
                }
            }
        }
    }
}
