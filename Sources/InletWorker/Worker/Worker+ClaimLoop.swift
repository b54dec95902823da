import InletStore
import Logging
import Tracing

extension Worker {
    /// A claim's result, handed to the claim loop through ``State/claimResults``.
    struct ClaimResult: Sendable {
        /// A small claim for runs announced by `NOTIFY`, sent beside the batch claims (``arrivalClaimSize``).
        let arrivals: Bool
        let runs: Result<[ClaimedRun], any Error>
    }

    private enum ClaimStep {
        case stop
        case none
        /// Batch claims until `inFlight` are in flight.
        case batches(inFlight: Int)
        case arrivals
    }

    /// The size of a claim for runs that were just created, sent while batch claims are in flight or completions
    /// back up.
    static let arrivalClaimSize = 10

    /// Wakes the claim loop for anything but a claim's result (a notification, a poll tick, freed capacity,
    /// shutdown): it claims again even if its last claims found nothing.
    func wakeClaimLoop() {
        state.withLock { $0.claimWanted = true }
        claimWake.signal()
    }

    /// Claims while there is room, launching slot tasks for the runs that need a handler.
    ///
    /// A claim takes a whole batch as soon as one slot is free and no claimed run is waiting: inline runs complete at
    /// once, the others start as slots free up. After a full batch a second claim is sent before the first returns:
    /// a claim's time is mostly its round trip and commit (its rows cost PostgreSQL about 20 µs each), so one claim
    /// in flight leaves a draining worker waiting most of the time. A worker holds at most
    /// `concurrency + 2 × batchSize + arrivalClaimSize` runs.
    ///
    /// The loop never waits for a claim: claims hand their result back through the state and wake it, so a
    /// `NOTIFY` is acted on at once. Runs announced while batch claims are in flight (those claims may have looked
    /// before the runs existed) or while completions back up are claimed by a small arrival claim sent right away
    /// (one at a time): fair share gives the project that was idle the first turns, so its runs wait for one claim,
    /// not for the claims ahead of it or a completion flush.
    func claimLoop(slots: inout DiscardingTaskGroup) async {
        var wake = claimWake.makeIterator()
        var failures = 0
        let backlogLimit = max(1000, 4 * configuration.batchSize)
        var batchClaims = 0
        var arrivalClaims = 0
        var lastBatchWasFull = false
        var moreMayBeWaiting = false
        while !Task.isCancelled {
            let (results, wanted) = state.withLock { state in
                defer {
                    state.claimResults.removeAll()
                    state.claimWanted = false
                }
                return (state.claimResults, state.claimWanted)
            }
            var failed: (any Error)?
            for result in results {
                if result.arrivals { arrivalClaims -= 1 } else { batchClaims -= 1 }
                switch result.runs {
                case .success(let runs):
                    failures = 0
                    logger.trace("claimed runs", metadata: ["runs": "\(runs.count)"])
                    if !runs.isEmpty { start(runs, in: &slots) }
                    if !result.arrivals { lastBatchWasFull = runs.count == configuration.batchSize }
                    // More may be waiting. A batch can be short with more runnable: fair share gives each project
                    // with runnable runs its turns before knowing how many it has, so any non-empty claim is
                    // followed by another.
                    if !runs.isEmpty { moreMayBeWaiting = true }
                case .failure(let error):
                    failed = error
                }
            }
            if let failed {
                lastBatchWasFull = false
                failures += 1
                if !state.withLock({ $0.isDraining }) {
                    logger.warning(
                        "claiming runs failed", metadata: ["error": "\(failed)", "failures": "\(failures)"])
                    try? await Task.sleep(for: .milliseconds(min(2000, 50 << min(failures, 6))))
                    moreMayBeWaiting = true
                }
            }
            let (step, toppedUp) = state.withLock { state -> (ClaimStep, Bool) in
                if state.isDraining { return (.stop, false) }
                let free = configuration.concurrency - state.executing.count
                if free <= 0 || !state.ready.isEmpty {
                    state.claimWaitsForCapacity = true
                    return (.none, false)
                }
                let backlogged = state.pending.count + state.flushing.count >= backlogLimit
                // Completions back up (one project's burst of quick runs, typically): the flusher wakes the loop.
                if backlogged { state.claimWaitsForCapacity = true }
                let target = !backlogged && (wanted || moreMayBeWaiting) ? (lastBatchWasFull ? 2 : 1) : 0
                if batchClaims < target {
                    // A claim sent now also takes the runs that just arrived.
                    state.runsArrived = false
                    return (.batches(inFlight: target), true)
                }
                if state.runsArrived && arrivalClaims == 0 && (backlogged || batchClaims > 0) {
                    state.runsArrived = false
                    return (.arrivals, target > 0)
                }
                return (.none, target > 0)
            }
            // The batch claims in flight are as many as wanted: the next ones wait for a result or a wake.
            if toppedUp { moreMayBeWaiting = false }
            switch step {
            case .stop:
                await handBackClaims(inFlight: batchClaims + arrivalClaims, wake: &wake)
                return
            case .none:
                break
            case .arrivals:
                sendClaim(limit: Self.arrivalClaimSize, arrivals: true)
                arrivalClaims += 1
            case .batches(let inFlight):
                while batchClaims < inFlight {
                    sendClaim(limit: configuration.batchSize, arrivals: false)
                    batchClaims += 1
                }
            }
            guard await wake.next() != nil else { break }
        }
        await handBackClaims(inFlight: batchClaims + arrivalClaims, wake: &wake)
    }

    /// Sends a claim; its result goes to ``State/claimResults`` and wakes the claim loop.
    private func sendClaim(limit: Int, arrivals: Bool) {
        Task {
            let runs: Result<[ClaimedRun], any Error>
            do {
                runs = .success(
                    try await withSpan("claim", ofKind: .internal) { span in
                        let claimed = try await queue.claim(
                            limit: limit, workerID: configuration.workerID, leaseSeconds: configuration.leaseSeconds)
                        span.attributes["inlet.claimed"] = claimed.count
                        return claimed
                    })
            } catch {
                runs = .failure(error)
            }
            state.withLock { $0.claimResults.append(ClaimResult(arrivals: arrivals, runs: runs)) }
            claimWake.signal()
        }
    }

    /// Waits for the claims still in flight when the loop ends and hands their runs back unstarted.
    private func handBackClaims(inFlight: Int, wake: inout AsyncStream<Void>.AsyncIterator) async {
        var remaining = inFlight
        var runs: [HeldRun] = []
        while true {
            let results = state.withLock { state in
                defer { state.claimResults.removeAll() }
                return state.claimResults
            }
            remaining -= results.count
            for result in results {
                guard let claimed = try? result.runs.get() else { continue }
                metrics.record(.claimed, kinds: claimed.lazy.map(\.kind))
                runs += claimed.map { HeldRun(lease: $0.lease, kind: $0.kind) }
            }
            guard remaining > 0, await wake.next() != nil else { break }
        }
        if !runs.isEmpty { await release(runs, reason: "runs claimed as shutdown began") }
    }
}
