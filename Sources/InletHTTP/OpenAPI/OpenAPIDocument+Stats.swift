import Inlet
import InletStore

/// `/v1/stats`: per-job queue depth and the last hour's attempts.
extension OpenAPIDocument {
    static var statsSchemas: [(String, JSONValue)] {
        let count = OpenAPISchema.integer(minimum: 0)
        return [
            (
                "ProjectStats",
                OpenAPISchema.object(
                    [
                        "project_id": OpenAPISchema.uuid,
                        "window_start": OpenAPISchema.described(
                            OpenAPISchema.timestamp, "The start of the first bucket (about an hour ago)"),
                        "bucket_seconds": OpenAPISchema.integer(minimum: 1, description: "The width of a bucket"),
                        "jobs": OpenAPISchema.described(
                            OpenAPISchema.array(OpenAPISchema.ref("JobStats")), "Every job of the project"),
                    ], required: ["project_id", "window_start", "bucket_seconds", "jobs"])
            ),
            (
                "JobStats",
                OpenAPISchema.object(
                    [
                        "job_id": OpenAPISchema.uuid,
                        "scheduled": OpenAPISchema.described(count, "Runs waiting for a delayed start"),
                        "queued": OpenAPISchema.described(count, "Runs waiting to run (retries included)"),
                        "running": count,
                        "dead": OpenAPISchema.described(count, "Runs that gave up and need attention"),
                        "succeeded_last_hour": OpenAPISchema.described(count, "Attempts that succeeded"),
                        "failed_last_hour": OpenAPISchema.described(
                            count, "Attempts that failed, timed out or lost their lease"),
                        "failure_rate": OpenAPISchema.nullable(
                            [
                                "type": "number", "minimum": 0, "maximum": 1,
                                "description": "Failed attempts over all attempts in the window; null without any",
                            ]),
                        "buckets": OpenAPISchema.described(
                            OpenAPISchema.array(OpenAPISchema.ref("StatsBucket")),
                            "Finished attempts per bucket, oldest first, without gaps"),
                    ],
                    required: [
                        "job_id", "scheduled", "queued", "running", "dead", "succeeded_last_hour", "failed_last_hour",
                        "failure_rate", "buckets",
                    ])
            ),
            (
                "StatsBucket",
                OpenAPISchema.object(
                    ["start": OpenAPISchema.timestamp, "succeeded": count, "failed": count],
                    required: ["start", "succeeded", "failed"])
            ),
        ]
    }

    static var statsOperations: [OpenAPIOperation] {
        [
            OpenAPIOperation(
                method: .get, path: "/v1/stats", operationID: "getStats",
                summary: "Queue depth and the last hour's attempts, per job", tag: "runs",
                description: "Every job of the project with its runs by status now and its finished attempts over the "
                    + "last hour in five-minute buckets (the current one included).",
                parameters: [OpenAPIParts.parameter("ProjectID")],
                responses: [("200", OpenAPIParts.json("The figures", schema: "ProjectStats"))],
                errors: [.badRequest, .notFound, .unprocessableContent, .serviceUnavailable])
        ]
    }
}
