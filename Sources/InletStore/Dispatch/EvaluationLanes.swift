import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Threads of their own, at a lower scheduling priority, for evaluating large payloads against their tenant's
/// schema and filters, taken in turn project by project.
///
/// A 1 MiB payload can cost tens of milliseconds of CPU within its ``WorkBudget``. Run on Swift's cooperative
/// pool (one thread per core), a tenant sending such payloads back to back holds one of its threads, and every
/// other request, a small dispatch or `/healthz`, waits for the CPU behind it. On a lane, the work runs at nice
/// ``niceness``: the kernel gives it the CPU that the request-serving threads leave idle, so small requests keep
/// their latency while large ones take longer under load. The lanes serve projects round-robin, one evaluation at
/// a time each, so one tenant's queue of large payloads does not delay another tenant's.
///
/// Payloads under ``threshold`` bytes are evaluated in place: a hop to a lane and back costs more than they do.
public final class EvaluationLanes: @unchecked Sendable {
    /// Payloads from this size up (bytes of JSON text) are evaluated on a lane.
    public static let defaultThreshold = 64 << 10
    /// The nice value of the lanes' threads (0 is the process's; 19 the lowest priority).
    static let niceness: Int32 = 10

    /// The lanes of this process, one per core, created with the first large payload.
    public static let shared = EvaluationLanes(threads: ProcessInfo.processInfo.activeProcessorCount)

    private let threadCount: Int
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var started = false
    private var queues: [UUID: [() -> Void]] = [:]
    /// Projects with queued work, in the order the lanes serve them.
    private var turn: [UUID] = []

    init(threads: Int) {
        threadCount = max(1, threads)
    }

    /// Jobs waiting for a lane (tests read it).
    var queuedJobs: Int {
        condition.lock()
        defer { condition.unlock() }
        return queues.values.reduce(0) { $0 + $1.count }
    }

    /// Runs `work` on a lane, in `projectID`'s turn, and returns its result.
    public func run<T: Sendable>(projectID: UUID, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(projectID) { continuation.resume(with: Result { try work() }) }
        }
    }

    private func enqueue(_ projectID: UUID, _ job: @escaping () -> Void) {
        condition.lock()
        defer { condition.unlock() }
        if !started {
            started = true
            for index in 0..<threadCount {
                Thread { [self] in serve(name: "inlet-eval-\(index)") }.start()
            }
        }
        if queues[projectID] == nil { turn.append(projectID) }
        queues[projectID, default: []].append(job)
        condition.signal()
    }

    private func serve(name: String) {
        #if canImport(Glibc)
            Thread.current.name = name  // at most 15 bytes, as `ps -L` and /proc show it
            // On Linux the nice value belongs to the thread: `who` 0 is the calling thread, not the process.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceness)
        #endif
        while true {
            condition.lock()
            while turn.isEmpty { condition.wait() }
            let projectID = turn.removeFirst()
            let job = queues[projectID]!.removeFirst()
            if queues[projectID]!.isEmpty {
                queues[projectID] = nil
            } else {
                turn.append(projectID)
            }
            condition.unlock()
            job()
        }
    }
}
