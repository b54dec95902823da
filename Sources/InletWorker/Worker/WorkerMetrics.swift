import Inlet
import Metrics
import Synchronization

/// The worker's swift-metrics instruments. Without a bootstrapped backend they cost next to nothing.
final class WorkerMetrics: Sendable {
    let claimed = Counter(label: "inlet_worker_runs_claimed_total")
    let succeeded = Counter(label: "inlet_worker_runs_succeeded_total")
    /// Failed attempts (including timeouts) whose run was queued again.
    let failed = Counter(label: "inlet_worker_attempts_failed_total")
    let dead = Counter(label: "inlet_worker_runs_dead_total")
    let rescued = Counter(label: "inlet_worker_runs_rescued_total")
    let released = Counter(label: "inlet_worker_runs_released_total")
    /// Completions that no longer applied: the run's lease had been lost.
    let fenced = Counter(label: "inlet_worker_completions_fenced_total")
    private let timers = Mutex<[JobKind: Timer]>([:])

    /// The attempt-duration timer of `kind`, created once per kind.
    func duration(of kind: JobKind) -> Timer {
        timers.withLock { timers in
            if let timer = timers[kind] { return timer }
            let timer = Timer(label: "inlet_worker_attempt_duration_seconds", dimensions: [("kind", kind.rawValue)])
            timers[kind] = timer
            return timer
        }
    }
}
