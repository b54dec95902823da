import InletStore
import Logging
import ServiceLifecycle

/// Deletes finished runs and events older than the retention period: once at start, then every `interval`, in
/// batches of `batchSize` rows per statement. Several workers may run it at once; they skip each other's rows.
public struct RetentionService: Service {
    let queue: JobRunQueue
    let retentionDays: Int
    let interval: Duration
    let batchSize: Int
    let logger: Logger

    public init(
        queue: JobRunQueue, retentionDays: Int, interval: Duration = .seconds(3600), batchSize: Int = 1000,
        logger: Logger = Logger(label: "inlet.retention")
    ) {
        self.queue = queue
        self.retentionDays = retentionDays
        self.interval = interval
        self.batchSize = batchSize
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.pruneOnce()
                try await Task.sleep(for: self.interval)
            }
        }
    }

    /// One pass; errors are logged, not thrown (the next pass tries again).
    func pruneOnce() async {
        do {
            let result = try await queue.pruneFinished(olderThanDays: retentionDays, batchSize: batchSize)
            if result.runs > 0 || result.events > 0 {
                logger.info(
                    "deleted finished runs and events past retention",
                    metadata: [
                        "runs": "\(result.runs)", "events": "\(result.events)", "retention_days": "\(retentionDays)",
                    ])
            }
        } catch {
            if Task.isCancelled { return }
            logger.warning("retention pass failed", metadata: ["error": "\(error)"])
        }
    }
}
