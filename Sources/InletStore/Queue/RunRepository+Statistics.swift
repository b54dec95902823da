import Foundation
import Postgres

/// One job's queue depth now and its attempts over the last hour, for the console's overview.
public struct JobActivity: Sendable, Equatable {
    /// Finished attempts in one time bucket.
    public struct Bucket: Sendable, Equatable {
        public let start: Date
        public var succeeded = 0
        /// Failed, timed-out and lease-expired attempts.
        public var failed = 0
    }

    public let jobID: UUID
    public var scheduled = 0
    public var queued = 0
    public var running = 0
    public var dead = 0
    /// Oldest first, covering the window without gaps.
    public var buckets: [Bucket]
}

/// The project's jobs, each with its ``JobActivity``.
public struct ProjectActivity: Sendable, Equatable {
    /// The start of the first bucket: the window is `bucketCount` buckets ending with the current one.
    public let windowStart: Date
    public let bucketSeconds: Int
    public let jobs: [JobActivity]
}

extension RunRepository {
    /// Buckets of five minutes; twelve of them cover the last hour (the current, partial bucket included).
    public static let activityBucketSeconds = 300
    public static let activityBucketCount = 12

    /// Every job of the project with its runs by (reported) status — scheduled, queued, running, dead — and its
    /// finished attempts per bucket over the last hour. One round trip; read-only.
    public func activity() async throws -> ProjectActivity {
        let rows = try await pool.query(
            """
            WITH bounds AS (
                SELECT date_bin('5 minutes', now(), timestamptz '2000-01-01Z') - interval '55 minutes' AS since
            ), depth AS (
                SELECT job_id,
                    count(*) FILTER (WHERE status = 'queued' AND attempt = 0 AND coalesce(deliver_at > now(), false))
                        AS scheduled,
                    count(*) FILTER (WHERE status = 'queued' AND NOT (attempt = 0 AND coalesce(deliver_at > now(), false)))
                        AS queued,
                    count(*) FILTER (WHERE status = 'running') AS running,
                    count(*) FILTER (WHERE status = 'dead') AS dead
                FROM job_runs WHERE project_id = $1 AND status IN ('queued', 'running', 'dead')
                GROUP BY job_id
            ), attempts AS (
                SELECT r.job_id, date_bin('5 minutes', a.finished_at, timestamptz '2000-01-01Z') AS bucket,
                    count(*) FILTER (WHERE a.outcome = 'succeeded') AS succeeded,
                    count(*) FILTER (WHERE a.outcome <> 'succeeded') AS failed
                FROM run_attempts a JOIN job_runs r ON r.project_id = a.project_id AND r.id = a.run_id
                WHERE a.project_id = $1 AND a.finished_at >= (SELECT since FROM bounds)
                GROUP BY 1, 2
            )
            SELECT 'window'::text, NULL::uuid, since, 0::bigint, 0::bigint, 0::bigint, 0::bigint FROM bounds
            UNION ALL
            SELECT 'job', id, NULL, 0, 0, 0, 0 FROM jobs WHERE project_id = $1
            UNION ALL
            SELECT 'depth', job_id, NULL, scheduled, queued, running, dead FROM depth
            UNION ALL
            SELECT 'attempts', job_id, bucket, succeeded, failed, 0, 0 FROM attempts
            """, [projectID])
        var windowStart = Date()
        var order: [UUID] = []
        var depths: [UUID: [Int]] = [:]
        var attempts: [UUID: [(Date, Int, Int)]] = [:]
        for row in rows {
            switch try row.decode(String.self, at: 0) {
            case "window":
                windowStart = try row.decode(Date.self, at: 2)
            case "job":
                order.append(try row.decode(UUID.self, at: 1))
            case "depth":
                depths[try row.decode(UUID.self, at: 1)] = try (3...6).map { try row.decode(Int.self, at: $0) }
            default:
                attempts[try row.decode(UUID.self, at: 1), default: []].append(
                    (try row.decode(Date.self, at: 2), try row.decode(Int.self, at: 3), try row.decode(Int.self, at: 4))
                )
            }
        }
        let seconds = Self.activityBucketSeconds
        let jobs = order.map { jobID in
            var job = JobActivity(
                jobID: jobID,
                buckets: (0..<Self.activityBucketCount).map {
                    JobActivity.Bucket(start: windowStart.addingTimeInterval(TimeInterval($0 * seconds)))
                })
            if let depth = depths[jobID] {
                (job.scheduled, job.queued, job.running, job.dead) = (depth[0], depth[1], depth[2], depth[3])
            }
            for (start, succeeded, failed) in attempts[jobID] ?? [] {
                let index = Int((start.timeIntervalSince(windowStart) / TimeInterval(seconds)).rounded())
                guard job.buckets.indices.contains(index) else { continue }
                job.buckets[index].succeeded += succeeded
                job.buckets[index].failed += failed
            }
            return job
        }
        return ProjectActivity(windowStart: windowStart, bucketSeconds: seconds, jobs: jobs)
    }
}
