import Foundation
import Hummingbird
import Inlet
import InletStore

/// `GET /v1/stats`: every job of the project with its queue depth now and its finished attempts over the last
/// hour in five-minute buckets (what the console's overview draws). Read-only.
struct StatsController {
    let services: Services

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("stats", use: stats)
    }

    func stats(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let projectID = try await services.projectID(for: context, request: request)
        let activity = try await services.runs(projectID).activity()
        return JSONResponse.make(
            .object(
                JSONObject([
                    ("project_id", .id(projectID)), ("window_start", .timestamp(activity.windowStart)),
                    ("bucket_seconds", .int(Int64(activity.bucketSeconds))),
                    ("jobs", .array(activity.jobs.map(\.json))),
                ])))
    }
}

extension JobActivity {
    var json: JSONValue {
        let succeeded = buckets.reduce(0) { $0 + $1.succeeded }
        let failed = buckets.reduce(0) { $0 + $1.failed }
        let attempts = succeeded + failed
        let failureRate: JSONValue =
            attempts == 0 ? .null : .number(JSONNumber((Double(failed) / Double(attempts) * 1000).rounded() / 1000))
        return .object(
            JSONObject([
                ("job_id", .id(jobID)), ("scheduled", .int(Int64(scheduled))), ("queued", .int(Int64(queued))),
                ("running", .int(Int64(running))), ("dead", .int(Int64(dead))),
                ("succeeded_last_hour", .int(Int64(succeeded))), ("failed_last_hour", .int(Int64(failed))),
                ("failure_rate", failureRate),
                (
                    "buckets",
                    .array(
                        buckets.map { bucket in
                            .object(
                                JSONObject([
                                    ("start", .timestamp(bucket.start)), ("succeeded", .int(Int64(bucket.succeeded))),
                                    ("failed", .int(Int64(bucket.failed))),
                                ]))
                        })
                ),
            ]))
    }
}
