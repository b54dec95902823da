import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A real HTTP server on 127.0.0.1 (a free port) that records what it receives and answers as told.
final class TestReceiver: Sendable {
    struct Request: Sendable {
        let method: String
        let path: String
        /// Lower-case names; `host` included.
        let headers: [String: String]
        let body: [UInt8]
    }

    struct Reply: Sendable {
        var status = 200
        var headers: [String: String] = [:]
        var body = "ok"
        var delay = Duration.zero
    }

    private let received = Mutex<[Request]>([])
    private let concurrency = Mutex<(now: Int, most: Int)>((0, 0))
    private let arrivalTimes = Mutex<[ContinuousClock.Instant]>([])
    /// The requests being handled (by index), and for each request those that were in flight when it arrived.
    private let overlapping = Mutex<(inFlight: Set<Int>, atArrival: [[Int]])>(([], []))
    private let reply: @Sendable (_ request: Request, _ index: Int) -> Reply

    /// - Parameter reply: The answer to the `index`-th request (0 for the first).
    init(reply: @escaping @Sendable (_ index: Int) -> Reply = { _ in Reply() }) {
        self.reply = { _, index in reply(index) }
    }

    /// - Parameter reply: The answer to a request, the `index`-th (0 for the first).
    init(replyTo reply: @escaping @Sendable (_ request: Request, _ index: Int) -> Reply) {
        self.reply = reply
    }

    /// For each request (by index), the indexes of the requests still being handled when it arrived.
    var inFlightAtArrival: [[Int]] { overlapping.withLock { $0.atArrival } }

    var requests: [Request] { received.withLock { $0 } }
    /// The most requests this receiver was handling at once.
    var mostInFlight: Int { concurrency.withLock { $0.most } }
    /// When each request arrived, in order.
    var arrivals: [ContinuousClock.Instant] { arrivalTimes.withLock { $0 } }

    /// Serves while `body` runs, giving it the URL of `/hook`.
    func serve<T: Sendable>(_ body: (_ hookURL: String) async throws -> T) async throws -> T {
        let router = Router()
        router.on("/hook", method: .post) { request, _ -> Response in
            self.arrivalTimes.withLock { $0.append(.now) }
            self.concurrency.withLock { state in
                state.now += 1
                state.most = max(state.most, state.now)
            }
            defer { self.concurrency.withLock { $0.now -= 1 } }
            let bytes = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            // HTTPTypes keeps the Host header as the request's authority.
            if let authority = request.head.authority { headers["host"] = authority }
            let recorded = Request(
                method: request.method.rawValue, path: request.uri.path, headers: headers,
                body: Array(bytes.readableBytesView))
            let index = self.received.withLock { received in
                received.append(recorded)
                let index = received.count - 1
                self.overlapping.withLock { state in
                    state.atArrival.append(state.inFlight.sorted())
                    state.inFlight.insert(index)
                }
                return index
            }
            defer { self.overlapping.withLock { _ = $0.inFlight.remove(index) } }
            let reply = self.reply(recorded, index)
            if reply.delay > .zero { try? await Task.sleep(for: reply.delay) }
            var fields = HTTPFields()
            for (name, value) in reply.headers { fields[HTTPField.Name(name)!] = value }
            return Response(
                status: HTTPResponse.Status(code: reply.status), headers: fields,
                body: ResponseBody(byteBuffer: ByteBuffer(string: reply.body)))
        }
        return try await withLocalServer(router, label: "test-receiver") { port in
            try await body("http://127.0.0.1:\(port)/hook")
        }
    }
}
