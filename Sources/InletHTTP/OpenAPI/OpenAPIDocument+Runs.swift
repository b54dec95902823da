import Inlet
import InletStore

/// `/v1/runs`: job runs with their attempts, retry and cancel.
extension OpenAPIDocument {
    static var runSchemas: [(String, JSONValue)] {
        [
            (
                "JobRun",
                OpenAPISchema.object(
                    [
                        "id": OpenAPISchema.uuid,
                        "project_id": OpenAPISchema.uuid,
                        "event_id": OpenAPISchema.uuid,
                        "job_id": OpenAPISchema.uuid,
                        "subscription_id": OpenAPISchema.nullable(OpenAPISchema.uuid),
                        "status": OpenAPISchema.enumeration(RunRepository.statuses),
                        "attempt": OpenAPISchema.integer(minimum: 0, description: "Attempts started so far"),
                        "max_attempts": OpenAPISchema.integer(minimum: 1, maximum: 100),
                        "run_at": OpenAPISchema.described(OpenAPISchema.timestamp, "When it may run (next)"),
                        "locked_by": OpenAPISchema.nullable(OpenAPISchema.string(description: "The worker running it")),
                        "lease_until": OpenAPISchema.nullable(OpenAPISchema.timestamp),
                        "last_error": OpenAPISchema.nullable(OpenAPISchema.string()),
                        "request_id": OpenAPISchema.nullable(OpenAPISchema.string()),
                        "created_at": OpenAPISchema.timestamp,
                        "updated_at": OpenAPISchema.timestamp,
                        "finished_at": OpenAPISchema.nullable(OpenAPISchema.timestamp),
                        "dead_reason": OpenAPISchema.nullable(
                            OpenAPISchema.enumeration(
                                RetryPolicy.DeadReason.allCases.map(\.rawValue),
                                description: "Why a dead run gave up; null otherwise")),
                        "deliver_at": OpenAPISchema.nullable(
                            OpenAPISchema.described(
                                OpenAPISchema.timestamp,
                                "When a delayed run was asked to start; it is scheduled until then")),
                        "ordering_key": OpenAPISchema.nullable(
                            OpenAPISchema.string(
                                description: "Runs of one job with one key start one at a time, in dispatch order")),
                        "ordering_blocked": OpenAPISchema.described(
                            OpenAPISchema.boolean,
                            "true while the run waits for an earlier run of its key to succeed, die or be cancelled "
                                + "(its status is queued or scheduled meanwhile)"),
                        "attempts": OpenAPISchema.described(
                            OpenAPISchema.array(OpenAPISchema.ref("RunAttempt")),
                            "Finished attempts, oldest first; only when one run is read"),
                    ],
                    required: [
                        "id", "project_id", "event_id", "job_id", "subscription_id", "status", "attempt",
                        "max_attempts", "run_at", "locked_by", "lease_until", "last_error", "request_id", "created_at",
                        "updated_at", "finished_at", "dead_reason", "deliver_at", "ordering_key", "ordering_blocked",
                    ])
            ),
            (
                "RunAttempt",
                OpenAPISchema.object(
                    [
                        "attempt": OpenAPISchema.integer(minimum: 1),
                        "started_at": OpenAPISchema.described(OpenAPISchema.timestamp, "With milliseconds"),
                        "finished_at": OpenAPISchema.described(OpenAPISchema.timestamp, "With milliseconds"),
                        "duration_ms": OpenAPISchema.integer(minimum: 0),
                        "outcome": OpenAPISchema.enumeration(["succeeded", "failed", "timeout", "lease_expired"]),
                        "status_code": OpenAPISchema.nullable(OpenAPISchema.integer()),
                        "error": OpenAPISchema.nullable(OpenAPISchema.string()),
                        "response_excerpt": OpenAPISchema.nullable(
                            OpenAPISchema.string(description: "The first KiB of the target's answer")),
                        "worker": OpenAPISchema.nullable(OpenAPISchema.string()),
                    ],
                    required: [
                        "attempt", "started_at", "finished_at", "duration_ms", "outcome", "status_code", "error",
                        "response_excerpt", "worker",
                    ])
            ),
        ]
    }

    static var statusAlternatives: String { RunRepository.statuses.joined(separator: "|") }

    static var runOperations: [OpenAPIOperation] {
        let id = OpenAPIParts.pathID("id", "The run's id")
        let project = OpenAPIParts.parameter("ProjectID")
        let errors: [OpenAPIOperation.ErrorStatus] = [
            .badRequest, .notFound, .unprocessableContent, .serviceUnavailable,
        ]
        return [
            OpenAPIOperation(
                method: .get, path: "/v1/runs", operationID: "listRuns", summary: "List job runs", tag: "runs",
                parameters: [
                    project,
                    OpenAPIParts.query(
                        "status",
                        OpenAPISchema.string(
                            pattern: "^(\(statusAlternatives))(,(\(statusAlternatives)))*$"),
                        "Only runs in this state, or in any of several separated by commas (each once). scheduled: "
                            + "a delayed run waiting for its deliver_at"),
                    OpenAPIParts.query("job_id", OpenAPISchema.uuid, "Only this job's runs"),
                    OpenAPIParts.query("event_id", OpenAPISchema.uuid, "Only this event's runs"),
                ] + OpenAPIParts.page,
                responses: [
                    (
                        "200",
                        OpenAPIParts.list(
                            "Runs", of: "JobRun",
                            links: [
                                "getFirst": OpenAPIParts.link("getRun", ["id": "$response.body#/0/id"]),
                                "cancelFirst": OpenAPIParts.link("cancelRun", ["id": "$response.body#/0/id"]),
                                "retryFirst": OpenAPIParts.link("retryRun", ["id": "$response.body#/0/id"]),
                            ])
                    )
                ], errors: errors),
            OpenAPIOperation(
                method: .get, path: "/v1/runs/{id}", operationID: "getRun", summary: "Get a run with its attempts",
                tag: "runs", parameters: [id, project],
                responses: [("200", OpenAPIParts.json("The run", schema: "JobRun"))], errors: errors),
            OpenAPIOperation(
                method: .post, path: "/v1/runs/{id}/retry", operationID: "retryRun",
                summary: "Queue a dead or cancelled run again", tag: "runs", description: "409 in any other state.",
                parameters: [id, project], responses: [("200", OpenAPIParts.json("Queued", schema: "JobRun"))],
                errors: errors + [.conflict]),
            OpenAPIOperation(
                method: .post, path: "/v1/runs/{id}/cancel", operationID: "cancelRun", summary: "Cancel a queued run",
                tag: "runs", description: "409 in any other state (a running attempt cannot be cancelled).",
                parameters: [id, project], responses: [("200", OpenAPIParts.json("Cancelled", schema: "JobRun"))],
                errors: errors + [.conflict]),
        ]
    }
}
