import Foundation
import Inlet
import InletStore
import Logging
import Metrics
import Postgres
import ServiceLifecycle
import Synchronization
import Tracing

/// Claims job runs, executes them and records their attempts, as a swift-service-lifecycle `Service`.
///
/// - Claims a batch of up to `batchSize` runs when an execution slot is free and no claimed run waits for one; a
///   non-empty batch is followed by another claim at once, otherwise it waits for a `NOTIFY inlet_runs` (through the
///   optional ``PostgresListener``), a freed slot, or the poll interval.
/// - Built-in `noop` runs complete inline; other kinds run in up to `concurrency` slot tasks with their
///   ``JobHandler``.
/// - Completions are written in batches by one flusher: while one statement runs, the next batch gathers.
/// - Leases are renewed every third of the lease; expired leases (of any worker) are rescued periodically.
/// - Graceful shutdown: no more claims; runs not started are handed back, runs in flight get `shutdownGrace` to
///   finish, the rest are cancelled and handed back to `queued` without consuming their attempt; pending
///   completions are flushed; `run()` returns.
public final class Worker: Service, Sendable {
    /// The `NOTIFY` channel that wakes workers when runs are queued.
    public static let wakeChannel = RunNotifier.channel

    public let configuration: WorkerConfiguration
    let queue: JobRunQueue
    let handlers: JobHandlerRegistry
    let listener: PostgresListener?
    let logger: Logger
    let metrics: WorkerMetrics
    let state = Mutex(State())
    /// Wakes the claim loop: a notification, a poll tick, freed capacity, shutdown, a claim's result.
    let claimWake = WakeSignal()
    /// Wakes the completion flusher.
    let flushWake = WakeSignal()
    /// Stops the heartbeat and rescue loops once everything else is done.
    let maintenanceStop = StopSignal()
    /// Asks for a recount of the jobs' running slots (a completion could not give its slots back).
    let slotReturnWake = WakeSignal()

    /// Most completions written by one statement.
    static let maximumFlushSize = 1000

    struct State {
        /// Claimed runs waiting for a slot.
        var ready: [ReadyRun] = []
        /// Runs whose handler is executing, by run id.
        var executing: [UUID: HeldRun] = [:]
        /// Slot tasks alive.
        var slots = 0
        /// Ended attempts waiting to be written.
        var pending: [PendingCompletion] = []
        /// Leases of the completions being written right now.
        var flushing: [RunLease] = []
        /// Graceful shutdown began: claim nothing more.
        var isDraining = false
        /// Execution is over: the flusher writes what is left and stops.
        var stopFlushing = false
        /// The claim loop is waiting for a free slot or for completions to be written.
        var claimWaitsForCapacity = false
        /// A `NOTIFY` said runs were created since the last claim.
        var runsArrived = false
        /// Results of claims in flight, for the claim loop to take.
        var claimResults: [ClaimResult] = []
        /// The claim loop was woken for something other than a claim's result.
        var claimWanted = true
    }

    /// A claimed run and the handler that will execute it.
    struct ReadyRun: Sendable {
        let run: ClaimedRun
        let handler: any JobHandler
    }

    /// A run this worker holds, with its kind for the metrics.
    struct HeldRun: Sendable {
        let lease: RunLease
        let kind: JobKind
    }

    /// An ended attempt waiting to be written, with its run's kind for the metrics.
    struct PendingCompletion: Sendable {
        let completion: RunCompletion
        let kind: JobKind
        var lease: RunLease { completion.lease }
    }

    /// - Parameters:
    ///   - listener: LISTENs on ``wakeChannel`` (run it as a service too); without one the worker only polls.
    ///   - metricsFactory: Where the worker's counters and histograms go (`WorkerApplication` passes its Prometheus
    ///     registry's factory); by default the global `MetricsSystem` backend, a no-op unless bootstrapped.
    public init(
        queue: JobRunQueue, configuration: WorkerConfiguration, handlers: JobHandlerRegistry = JobHandlerRegistry(),
        listener: PostgresListener? = nil, logger: Logger = Logger(label: "inlet.worker"),
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.queue = queue
        self.metrics = WorkerMetrics(factory: metricsFactory)
        self.configuration = configuration
        self.handlers = handlers
        self.listener = listener
        var logger = logger
        logger[metadataKey: "worker"] = "\(configuration.workerID)"
        self.logger = logger
    }

    /// Runs whose handler is executing right now.
    public var executingCount: Int { state.withLock { $0.executing.count } }

    /// Claimed runs waiting in this worker for an execution slot.
    public var waitingCount: Int { state.withLock { $0.ready.count } }

    /// Runs until graceful shutdown (or cancellation). Call once.
    public func run() async throws {
        logger.info(
            "worker started",
            metadata: [
                "concurrency": "\(configuration.concurrency)", "batch_size": "\(configuration.batchSize)",
                "lease_seconds": "\(configuration.leaseSeconds)",
                "kinds": "\(handlers.kinds.map(\.rawValue).joined(separator: ","))",
            ])
        let notifications = listener?.notifications()  // subscribed before the first claim: no NOTIFY is missed
        await withDiscardingTaskGroup { wakeSources in
            wakeSources.addTask { await self.pollLoop() }
            if let notifications {
                wakeSources.addTask {
                    for await notification in notifications where notification.channel == Self.wakeChannel {
                        self.state.withLock { $0.runsArrived = true }
                        self.wakeClaimLoop()
                    }
                }
            }
            // Loops that run statements are stopped by signals, never cancelled mid-statement.
            await withDiscardingTaskGroup { maintenance in
                maintenance.addTask { await self.heartbeatLoop() }
                maintenance.addTask { await self.rescueLoop() }
                maintenance.addTask { await self.slotReturnLoop() }
                await withDiscardingTaskGroup { completions in
                    completions.addTask { await self.flushLoop() }
                    await withGracefulShutdownHandler {
                        await self.claimAndExecute()
                    } onGracefulShutdown: {
                        self.beginDraining()
                    }
                    self.state.withLock { $0.stopFlushing = true }
                    self.flushWake.signal()
                }
                self.maintenanceStop.stop()
                self.slotReturnWake.finish()
            }
            wakeSources.cancelAll()
        }
        logger.info("worker stopped")
    }

    func beginDraining() {
        state.withLock { $0.isDraining = true }
        wakeClaimLoop()
    }

    // MARK: Claim and execute

    /// The claim loop, then the drain: hand back runs not started, wait for runs in flight until the grace period
    /// ends, cancel and hand back the rest.
    func claimAndExecute() async {
        await withDiscardingTaskGroup { slots in
            await self.claimLoop(slots: &slots)
            let (notStarted, inFlight) = self.state.withLock { state in
                defer { state.ready.removeAll() }
                return (state.ready.map { HeldRun(lease: $0.run.lease, kind: $0.run.kind) }, state.executing.count)
            }
            if !notStarted.isEmpty { await self.release(notStarted, reason: "claimed runs that had not started") }
            if inFlight > 0 {
                logger.info(
                    "shutting down: waiting for runs in flight",
                    metadata: ["runs": "\(inFlight)", "grace": "\(configuration.shutdownGrace)"])
            }
            await self.waitForExecutions(until: .now.advanced(by: configuration.shutdownGrace))
            let abandoned = self.state.withLock { state in
                defer { state.executing.removeAll() }
                return Array(state.executing.values)
            }
            guard !abandoned.isEmpty else { return }
            slots.cancelAll()
            await self.release(abandoned, reason: "runs that did not finish within the grace period")
        }
    }

    /// Completes inline runs at once and queues the others for slots, launching the slot tasks needed.
    func start(_ runs: [ClaimedRun], in slots: inout DiscardingTaskGroup) {
        metrics.record(.claimed, kinds: runs.lazy.map(\.kind))
        let now = Date()
        var inline: [PendingCompletion] = []
        var ready: [ReadyRun] = []
        for run in runs {
            switch handlers.entry(for: run.kind) {
            case .inlineSuccess:
                inline.append(
                    PendingCompletion(
                        completion: RunCompletion(
                            lease: run.lease, outcome: .succeeded, startedAt: now, finishedAt: now,
                            durationMilliseconds: 0),
                        kind: run.kind))
            case .handler(let handler):
                ready.append(ReadyRun(run: run, handler: handler))
            case nil:
                let kinds = handlers.kinds.map(\.rawValue).joined(separator: ", ")
                let outcome = JobOutcome.failed(
                    "no handler for job kind \"\(run.kind)\" in this worker (it handles: \(kinds))")
                log(outcome, of: run, logger: runLogger(for: run))
                inline.append(
                    PendingCompletion(
                        completion: completion(of: run, outcome: outcome, startedAt: now, elapsed: .zero),
                        kind: run.kind))
            }
        }
        let newSlots = state.withLock { state in
            state.pending.append(contentsOf: inline)
            state.ready.append(contentsOf: ready)
            let wanted = min(state.ready.count, configuration.concurrency - state.slots)
            state.slots += max(0, wanted)
            return max(0, wanted)
        }
        if !inline.isEmpty { flushWake.signal() }
        for _ in 0..<newSlots {
            slots.addTask { await self.runSlot() }
        }
    }

    /// One execution slot: runs ready runs one after the other until none is left.
    func runSlot() async {
        while let next = nextReadyRun() {
            await execute(next.run, with: next.handler)
        }
    }

    private func nextReadyRun() -> ReadyRun? {
        let (next, wakeClaim) = state.withLock { state -> (ReadyRun?, Bool) in
            if !state.isDraining, !state.ready.isEmpty {
                let next = state.ready.removeFirst()
                state.executing[next.run.runID] = HeldRun(lease: next.run.lease, kind: next.run.kind)
                return (next, false)
            }
            state.slots -= 1
            defer { state.claimWaitsForCapacity = false }
            return (nil, state.claimWaitsForCapacity)
        }
        if wakeClaim { wakeClaimLoop() }
        return next
    }

    /// Executes one attempt in a `run` span that continues the trace stored with the run (its dispatch's), so the
    /// delivery's own span and `traceparent` header belong to the producer's trace.
    func execute(_ run: ClaimedRun, with handler: any JobHandler) async {
        await withSpan(
            "run \(run.kind.rawValue)", context: TraceContext.context(continuing: run.traceparent), ofKind: .consumer
        ) {
            span in
            span.attributes["inlet.project_id"] = run.lease.projectID.lowercasedString
            span.attributes["inlet.run_id"] = run.runID.lowercasedString
            span.attributes["inlet.job_id"] = run.jobID.lowercasedString
            span.attributes["inlet.event_id"] = run.eventID.lowercasedString
            span.attributes["inlet.attempt"] = run.lease.attempt
            await executeInSpan(run, with: handler, span: span)
        }
    }

    private func executeInSpan(_ run: ClaimedRun, with handler: any JobHandler, span: any Span) async {
        let logger = runLogger(for: run)
        let context = JobExecutionContext(
            logger: logger, workerID: configuration.workerID, secretBox: configuration.secretBox)
        let startedAt = Date()
        let start = ContinuousClock.now
        let outcome = await handler.execute(run, context: context)
        let elapsed = start.duration(to: .now)
        span.attributes["inlet.outcome"] = "\(outcome.result)"
        if outcome.result != .succeeded {
            span.setStatus(SpanStatus(code: .error, message: outcome.error))
        }
        metrics.duration(of: run.kind).recordNanoseconds(JobRunQueue.nanoseconds(elapsed))
        let retry = outcome.result == .succeeded ? nil : await retryContext(for: run, logger: logger)
        let completion = completion(of: run, outcome: outcome, startedAt: startedAt, elapsed: elapsed, retry: retry)
        let accepted = state.withLock { state in
            guard state.executing.removeValue(forKey: run.runID) != nil else { return false }
            state.pending.append(PendingCompletion(completion: completion, kind: run.kind))
            return true
        }
        guard accepted else {
            logger.debug("attempt ended after the run was handed back; outcome discarded")
            return
        }
        flushWake.signal()
        log(outcome, of: run, elapsed: elapsed, deadReason: completion.deadReason, logger: logger)
    }

    func waitForExecutions(until deadline: ContinuousClock.Instant) async {
        while executingCount > 0, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Hands runs back to the queue without consuming their attempt (one statement per job kind, so the metrics
    /// count them by kind; shutdowns are rare and kinds few).
    func release(_ runs: [HeldRun], reason: String) async {
        var released = 0
        for (kind, held) in Dictionary(grouping: runs, by: \.kind) {
            do {
                let count = try await queue.release(held.map(\.lease), workerID: configuration.workerID)
                metrics.record(.released, kind: kind, count: count)
                released += count
            } catch {
                logger.error(
                    "could not hand back runs at shutdown; they are rescued when their lease expires",
                    metadata: ["runs": "\(held.count)", "kind": "\(kind)", "error": "\(error)"])
            }
        }
        logger.info("shutting down: handed back \(reason)", metadata: ["runs": "\(released)"])
    }
}

extension JobRunQueue {
    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
