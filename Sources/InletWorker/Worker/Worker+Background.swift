import Inlet
import InletStore
import Logging
import Postgres

extension Worker {
    // MARK: Completions

    /// Writes pending completions, one statement per batch, until told to stop and nothing is left.
    func flushLoop() async {
        var wake = flushWake.makeIterator()
        var failures = 0
        while true {
            let batch: [PendingCompletion]? = state.withLock { state in
                if state.pending.isEmpty { return state.stopFlushing ? nil : [] }
                var batch: [PendingCompletion] = []
                if state.pending.count <= Self.maximumFlushSize {
                    swap(&batch, &state.pending)
                } else {
                    batch = Array(state.pending.prefix(Self.maximumFlushSize))
                    state.pending.removeFirst(Self.maximumFlushSize)
                }
                state.flushing = batch.map(\.lease)
                return batch
            }
            guard let batch else { return }
            if batch.isEmpty {
                guard await wake.next() != nil else { return }
                continue
            }
            do {
                let completed = try await queue.completeBatch(
                    batch.map(\.completion), workerID: configuration.workerID)
                failures = 0
                if completed.ended.contains(where: \.releasesOrderingKey) {
                    // The next runs of those keys were unblocked by the completion: claim them now, as if a
                    // dispatch had announced them, rather than at the next poll.
                    state.withLock { $0.runsArrived = true }
                    claimWake.signal()
                }
                record(completed.ended, submitted: batch)
                record(completed.circuitChanges)
                if let error = completed.jobStateError {
                    // The attempts are recorded; only their job slots stayed pending. Give them back now rather
                    // than at the next rescue pass, so a job with a limit does not stall until then.
                    logger.warning(
                        "recorded attempts but could not give back their job slots; giving them back apart",
                        metadata: ["runs": "\(completed.ended.count)", "error": "\(error)"])
                    slotReturnWake.signal()
                }
            } catch {
                failures += 1
                let stopping = state.withLock { state in
                    state.pending.insert(contentsOf: batch, at: 0)
                    return state.stopFlushing
                }
                if !Self.isTransient(error), failures >= 5 {
                    // Not a lost connection: retrying the same statement will not help. Drop the batch; the runs'
                    // leases expire and they are rescued and executed again.
                    logger.error(
                        "could not record attempts; dropping them (their runs are rescued when the lease expires)",
                        metadata: ["runs": "\(batch.count)", "error": "\(error)"])
                    state.withLock { state in
                        state.pending.removeFirst(batch.count)
                        state.flushing = []
                    }
                    failures = 0
                    continue
                }
                if stopping && failures >= 3 {
                    logger.error(
                        "could not record attempts at shutdown; their runs are rescued when the lease expires",
                        metadata: ["runs": "\(batch.count)", "error": "\(error)"])
                    state.withLock { $0.flushing = [] }
                    return
                }
                logger.warning(
                    "recording attempts failed; retrying", metadata: ["error": "\(error)", "runs": "\(batch.count)"])
                try? await Task.sleep(for: .milliseconds(min(2000, 50 << min(failures, 6))))
            }
            let wakeClaim = state.withLock { state in
                state.flushing = []
                defer { state.claimWaitsForCapacity = false }
                return state.claimWaitsForCapacity
            }
            if wakeClaim { wakeClaimLoop() }
        }
    }

    /// Whether retrying a failed statement may succeed (the database was unreachable or busy).
    static func isTransient(_ error: any Error) -> Bool {
        guard let error = error as? PostgresError else { return false }
        switch error.code {
        case .connectionFailure, .poolExhausted, .poolClosed, .queryCancelled, .serializationFailure,
            .deadlockDetected:
            return true
        default:
            return false
        }
    }

    private func record(_ ended: [EndedAttempt], submitted: [PendingCompletion]) {
        // Usually a batch holds one kind; only a mixed batch needs a lookup per run.
        let singleKind = submitted.first.map(\.kind).flatMap { first in
            submitted.allSatisfy { $0.kind == first } ? first : nil
        }
        let kinds: [RunLease: JobKind] =
            singleKind == nil
            ? Dictionary(submitted.map { ($0.lease, $0.kind) }, uniquingKeysWith: { first, _ in first }) : [:]
        var counts: [JobKind: (succeeded: Int, failed: Int, dead: Int)] = [:]
        for attempt in ended {
            guard let kind = singleKind ?? kinds[attempt.lease] else { continue }
            switch attempt.runStatus {
            case .succeeded: counts[kind, default: (0, 0, 0)].succeeded += 1
            case .queued: counts[kind, default: (0, 0, 0)].failed += 1
            case .dead: counts[kind, default: (0, 0, 0)].dead += 1
            }
        }
        for (kind, count) in counts {
            metrics.record(.succeeded, kind: kind, count: count.succeeded)
            metrics.record(.failed, kind: kind, count: count.failed)
            metrics.record(.dead, kind: kind, count: count.dead)
        }
        guard ended.count < submitted.count else { return }
        let applied = Set(ended.map(\.lease))
        let lost = submitted.map(\.lease).filter { !applied.contains($0) }
        metrics.fenced.increment(by: lost.count)
        logger.warning(
            "attempts not recorded: the runs' leases were lost (rescued after expiring, or handed back)",
            metadata: ["runs": "\(lost.prefix(20).map(\.description).joined(separator: ","))"])
    }

    /// One log line per circuit a completion opened, re-opened or closed, and the transitions counter.
    private func record(_ changes: [CircuitChange]) {
        for change in changes {
            metrics.circuitTransitions(to: change.to).increment()
            var metadata: Logger.Metadata = [
                "project_id": "\(change.projectID.lowercasedString)", "job_id": "\(change.jobID.lowercasedString)",
                "from": "\(change.from.rawValue)", "to": "\(change.to.rawValue)",
                "consecutive_failures": "\(change.consecutiveFailures)",
            ]
            if let error = change.lastError { metadata["last_error"] = "\(error)" }
            switch change.to {
            case .open:
                logger.warning(
                    "circuit open: the job's deliveries pause; its runs stay queued until a probe succeeds",
                    metadata: metadata)
            case .closed:
                logger.notice("circuit closed: the job's deliveries resume", metadata: metadata)
            case .halfOpen:
                logger.info("circuit half-open: probing", metadata: metadata)
            }
        }
    }

    // MARK: Leases

    /// Renews the leases of every run this worker holds, every third of the lease.
    func heartbeatLoop() async {
        while await maintenanceStop.pause(for: configuration.heartbeatInterval) {
            let leases = state.withLock { state in
                state.ready.map(\.run.lease) + state.executing.values.map(\.lease) + state.pending.map(\.lease)
                    + state.flushing
            }
            guard !leases.isEmpty else { continue }
            do {
                try await queue.heartbeat(
                    leases, workerID: configuration.workerID, leaseSeconds: configuration.leaseSeconds)
            } catch {
                logger.warning("renewing leases failed", metadata: ["error": "\(error)", "runs": "\(leases.count)"])
            }
        }
    }

    /// Requeues runs whose lease expired (whoever held them), at start and then every `rescueInterval`.
    func rescueLoop() async {
        let batch = 500
        repeat {
            do {
                var rescued: [EndedAttempt] = []
                while !maintenanceStop.isStopped {
                    let some = try await queue.rescueExpiredLeases(limit: batch)
                    rescued += some
                    if some.count < batch { break }
                }
                if try await queue.returnPendingSlots() > 0 {
                    logger.info("gave back job slots that completions left pending")
                }
                if try await queue.resyncRunningCounts() > 0 {
                    logger.notice("corrected jobs' running slot counts; they should never drift (please report it)")
                }
                if !rescued.isEmpty {
                    let dead = rescued.filter { $0.runStatus == .dead }
                    metrics.record(.rescued, kinds: rescued.map { $0.kind ?? JobKind(rawValue: "unknown") })
                    metrics.record(.dead, kinds: dead.map { $0.kind ?? JobKind(rawValue: "unknown") })
                    logger.info(
                        "rescued runs whose lease expired",
                        metadata: ["runs": "\(rescued.count)", "dead": "\(dead.count)"])
                    wakeClaimLoop()
                }
            } catch {
                logger.warning("rescuing expired leases failed", metadata: ["error": "\(error)"])
            }
        } while await maintenanceStop.pause(for: configuration.rescueInterval)
    }

    /// Gives back the job slots a completion left pending when its second statement failed, retrying until it
    /// works (or the worker stops: the next rescue pass of any worker gives them back then).
    func slotReturnLoop() async {
        var wake = slotReturnWake.makeIterator()
        while await wake.next() != nil {
            var failures = 0
            while !maintenanceStop.isStopped {
                do {
                    var returned = 0
                    while true {
                        let some = try await queue.returnPendingSlots()
                        returned += some
                        if some < 1000 { break }
                    }
                    logger.info("gave back pending job slots", metadata: ["slots": "\(returned)"])
                    wakeClaimLoop()
                    break
                } catch {
                    failures += 1
                    logger.warning(
                        "giving back pending job slots failed; retrying",
                        metadata: ["error": "\(error)", "failures": "\(failures)"])
                    _ = await maintenanceStop.pause(for: .milliseconds(min(5000, 100 << min(failures, 6))))
                }
            }
        }
    }

    /// The polling fallback: wakes the claim loop every poll interval.
    func pollLoop() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: configuration.pollInterval)
            } catch {
                return
            }
            wakeClaimLoop()
        }
    }
}
