import Inlet
import InletStore
import Metrics
import Synchronization

/// The worker's swift-metrics instruments, created on the factory the worker was given (a Prometheus registry in
/// `inlet-worker`). Labels are bounded: the job kind only, never a run, job or project id.
final class WorkerMetrics: Sendable {
    /// What happened to runs, counted per kind as `inlet_worker_runs_<event>_total{kind}`.
    enum RunEvent: String, CaseIterable, Sendable {
        /// Taken by a claim of this worker.
        case claimed
        case succeeded
        /// An attempt failed (or timed out) and its run was queued again for another attempt.
        case failed
        /// An attempt failed with the run's attempts spent.
        case dead
        /// An expired lease (this worker's or another's) was rescued by this worker.
        case rescued
        /// Handed back to `queued` at shutdown without consuming the attempt.
        case released
    }

    private struct Key: Hashable {
        let event: RunEvent
        let kind: JobKind
    }

    let factory: any MetricsFactory
    /// Completions that no longer applied: the run's lease had been lost.
    let fenced: Counter
    private let counters = Mutex<[Key: Counter]>([:])
    private let timers = Mutex<[JobKind: Timer]>([:])
    /// `inlet_worker_circuit_transitions_total{to}`: circuits this worker's completions opened or closed.
    private let circuits: [CircuitState: Counter]

    init(factory: any MetricsFactory) {
        self.factory = factory
        self.fenced = Counter(label: "inlet_worker_completions_fenced_total", factory: factory)
        var circuits: [CircuitState: Counter] = [:]
        for state in CircuitState.allCases {
            circuits[state] = Counter(
                label: "inlet_worker_circuit_transitions_total", dimensions: [("to", state.rawValue)],
                factory: factory)
        }
        self.circuits = circuits
    }

    func circuitTransitions(to state: CircuitState) -> Counter { circuits[state]! }

    /// Adds `count` to the counter of `event` for runs of `kind`.
    func record(_ event: RunEvent, kind: JobKind, count: Int = 1) {
        guard count > 0 else { return }
        let counter = counters.withLock { counters in
            let key = Key(event: event, kind: kind)
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: "inlet_worker_runs_\(event.rawValue)_total", dimensions: [("kind", kind.rawValue)],
                factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment(by: count)
    }

    /// Adds each kind's count to the counter of `event`.
    func record<Runs: Sequence>(_ event: RunEvent, kinds: Runs) where Runs.Element == JobKind {
        var counts: [JobKind: Int] = [:]
        for kind in kinds { counts[kind, default: 0] += 1 }
        for (kind, count) in counts { record(event, kind: kind, count: count) }
    }

    /// The attempt-duration timer of `kind` (a histogram in Prometheus), created once per kind.
    func duration(of kind: JobKind) -> Timer {
        timers.withLock { timers in
            if let timer = timers[kind] { return timer }
            let timer = Timer(
                label: "inlet_worker_attempt_duration_seconds", dimensions: [("kind", kind.rawValue)],
                factory: factory)
            timers[kind] = timer
            return timer
        }
    }
}
