import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A real HTTP server on 127.0.0.1 that answers `POST /hook` with the status `status` gives for the `index`-th
/// request (0 first), and counts what it receives: the target of the tests' http jobs.
final class HookReceiver: Sendable {
    private let received = Mutex(0)
    private let status: @Sendable (_ index: Int) -> Int

    init(status: @escaping @Sendable (_ index: Int) -> Int = { _ in 200 }) {
        self.status = status
    }

    /// How many deliveries arrived so far.
    var deliveries: Int { received.withLock { $0 } }

    /// Serves while `body` runs, giving it the URL of `/hook`.
    func serve<T: Sendable>(_ body: (_ hookURL: String) async throws -> T) async throws -> T {
        let router = Router()
        router.on("/hook", method: .post) { request, _ -> Response in
            _ = try await request.body.collect(upTo: 1 << 20)
            let index = self.received.withLock { count in
                count += 1
                return count - 1
            }
            return Response(
                status: HTTPResponse.Status(code: self.status(index)),
                body: ResponseBody(byteBuffer: ByteBuffer(string: "ok")))
        }
        let port = Mutex<Int?>(nil)
        var logger = Logger(label: "hook-receiver")
        logger.logLevel = .error
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            while port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(5)) }
            let url = "http://127.0.0.1:\(port.withLock { $0 }!)/hook"
            do {
                let result = try await body(url)
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}
