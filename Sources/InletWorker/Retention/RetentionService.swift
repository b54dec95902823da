import Inlet
import InletStore
import Logging
import ServiceLifecycle

/// Deletes finished runs and events older than the retention period: once at start, then every `interval`, in
/// batches of `batchSize` rows per statement. Several workers may run it at once; they skip each other's rows.
///
/// On graceful shutdown it stops between two statements (it never cancels one).
public struct RetentionService: Service {
    let queue: JobRunQueue
    let retentionDays: Int
    let interval: Duration
    let batchSize: Int
    let logger: Logger
    /// When given, each pass also drops jobs' previous signing secrets whose grace period has ended.
    let secretBox: SecretBox?
    private let stop = StopSignal()

    public init(
        queue: JobRunQueue, retentionDays: Int, interval: Duration = .seconds(3600), batchSize: Int = 1000,
        logger: Logger = Logger(label: "inlet.retention"), secretBox: SecretBox? = nil
    ) {
        self.secretBox = secretBox
        self.queue = queue
        self.retentionDays = retentionDays
        self.interval = interval
        self.batchSize = batchSize
        self.logger = logger
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            repeat {
                await pruneOnce()
            } while await stop.pause(for: interval)
        } onGracefulShutdown: {
            stop.stop()
        }
    }

    /// One pass, batch after batch until a batch comes back short; errors are logged, not thrown (the next pass
    /// tries again).
    func pruneOnce() async {
        var runs = 0
        var events = 0
        do {
            while !stop.isStopped {
                let deleted = try await queue.pruneFinishedRuns(olderThanDays: retentionDays, limit: batchSize)
                runs += deleted
                if deleted < batchSize { break }
            }
            while !stop.isStopped {
                let deleted = try await queue.pruneEvents(olderThanDays: retentionDays, limit: batchSize)
                events += deleted
                if deleted < batchSize { break }
            }
            if let secretBox, !stop.isStopped {
                _ = try await JobRepository.pruneExpiredPreviousSecrets(
                    pool: queue.pool, secrets: secretBox, limit: batchSize)
            }
        } catch {
            logger.warning("retention pass failed", metadata: ["error": "\(error)"])
        }
        if runs > 0 || events > 0 {
            logger.info(
                "deleted finished runs and events past retention",
                metadata: ["runs": "\(runs)", "events": "\(events)", "retention_days": "\(retentionDays)"])
        }
    }
}
