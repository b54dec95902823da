import Foundation
import Synchronization

/// Tells background loops to stop, waking them from their pauses.
///
/// Loops that run database statements stop this way rather than by task cancellation, so a statement is never
/// cancelled half-way (a cancelled statement can leave its pooled connection unusable).
final class StopSignal: Sendable {
    private struct State {
        var isStopped = false
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    var isStopped: Bool { state.withLock { $0.isStopped } }

    func stop() {
        let waiters = state.withLock { state in
            state.isStopped = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits for `duration`, or less when stopped (or cancelled) meanwhile. Returns whether the loop should go on.
    func pause(for duration: Duration) async -> Bool {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: duration) }
            group.addTask { await self.waitUntilStopped() }
            await group.next()
            group.cancelAll()
        }
        return !isStopped && !Task.isCancelled
    }

    private func waitUntilStopped() async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if state.isStopped || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
