import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// Serves `router` on 127.0.0.1 (a free port) while `body` runs, giving it the port; shuts the server down
/// gracefully afterwards, whether `body` returned or threw. The test receivers are built on it.
func withLocalServer<T: Sendable>(
    _ router: Router<BasicRequestContext>, label: String, _ body: (_ port: Int) async throws -> T
) async throws -> T {
    let port = Mutex<Int?>(nil)
    var logger = Logger(label: label)
    logger.logLevel = .error
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } }, logger: logger)
    let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        while port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(5)) }
        do {
            let result = try await body(port.withLock { $0 }!)
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
