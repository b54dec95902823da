import Foundation
import HTTPTypes
import Inlet
import InletTestSupport
import Testing

@testable import InletHTTP

/// Issue 15 through the API: job limits and circuits, project weight and quotas. Quotas answer 422 or 429 and
/// change nothing.
@Suite struct FairShareAPITests {
    @Test func jobLimitsHaveDefaultsAndAreValidated() async throws {
        try await TestApp.run { admin in
            let project = try await TestApp.project(admin, name: "fair-limits")
            let http = try await project.api.post(
                "/v1/jobs", ["name": "hook", "kind": "http", "config": ["url": "http://127.0.0.1:9/hook"]])
            #expect(http.status == .created, "\(http.text)")
            #expect(http["max_concurrency"] == .int(Int64(JobLimits.defaultHTTPConcurrency)))
            #expect(http["rate_limit"] == .null)
            #expect(http["circuit_breaker"]?["failure_threshold"] == .int(Int64(JobLimits.defaultBreakerThreshold)))
            #expect(http["circuit"]?["state"] == "closed")
            let noop = try await project.api.post("/v1/jobs", ["name": "sink", "kind": "noop"])
            #expect(noop["max_concurrency"] == .null)

            let patched = try await project.api.patch(
                "/v1/jobs/\(noop.idString)",
                [
                    "max_concurrency": 3, "rate_limit": ["per_second": 2.5],
                    "circuit_breaker": ["failure_threshold": 4, "probe_interval_seconds": 2],
                ])
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(patched["max_concurrency"] == 3)
            #expect(patched["rate_limit"] == ["per_second": 2.5, "burst": 3])
            #expect(patched["circuit_breaker"] == ["failure_threshold": 4, "probe_interval_seconds": 2])
            let cleared = try await project.api.patch(
                "/v1/jobs/\(noop.idString)", ["max_concurrency": nil, "rate_limit": nil, "circuit_breaker": nil])
            #expect(cleared["max_concurrency"] == .null && cleared["rate_limit"] == .null)
            #expect(cleared["circuit_breaker"] == .null)

            let nonsense: [(JSONValue, String)] = [
                (["max_concurrency": 0], "/max_concurrency"),
                (["max_concurrency": "8"], "/max_concurrency"),
                (["rate_limit": ["per_second": -1]], "/rate_limit/per_second"),
                (["rate_limit": ["burst": 3]], "/rate_limit/per_second"),
                (["rate_limit": ["per_second": 1, "burst": 0]], "/rate_limit/burst"),
                (["rate_limit": ["per_second": 1, "extra": 1]], "/rate_limit/extra"),
                (["rate_limit": 5], "/rate_limit"),
                (["circuit_breaker": ["failure_threshold": 0]], "/circuit_breaker/failure_threshold"),
                (["circuit_breaker": ["probe_interval_seconds": 99999]], "/circuit_breaker/probe_interval_seconds"),
            ]
            let before = try await project.api.get("/v1/jobs/\(noop.idString)")
            for (body, path) in nonsense {
                let response = try await project.api.patch("/v1/jobs/\(noop.idString)", body)
                #expect(response.status == .unprocessableContent, "\(body): \(response.text)")
                let paths = response.body?["error"]?["details"]?.arrayValue?.compactMap { $0["path"]?.stringValue }
                #expect(paths?.contains(path) == true, "\(body): \(response.text)")
                var create = body.objectValue ?? JSONObject()
                create["name"] = .string("bad-\(UUID().uuidString.prefix(8))")
                create["kind"] = "noop"
                let created = try await project.api.post("/v1/jobs", .object(create))
                #expect(created.status == .unprocessableContent, "\(body): \(created.text)")
            }
            let after = try await project.api.get("/v1/jobs/\(noop.idString)")
            #expect(before.body == after.body)
        }
    }

    @Test func onlyAnAdminSetsProjectLimitsAndNonsenseIsRefused() async throws {
        try await TestApp.run { admin in
            let project = try await TestApp.project(admin, name: "fair-admin")
            let read = try await project.api.get("/v1/projects/\(project.id)/limits")
            #expect(read.status == .ok)
            #expect(
                read["weight"] == 1 && read["max_runs_per_event"] == .int(Int64(ProjectLimits.defaultMaxRunsPerEvent)))
            let own = try await project.api.patch("/v1/projects/\(project.id)/limits", ["weight": 5])
            #expect(own.status == .forbidden)
            let set = try await admin.patch("/v1/projects/\(project.id)/limits", ["weight": 5, "max_jobs": 7])
            #expect(set.status == .ok, "\(set.text)")
            #expect(set["weight"] == 5 && set["max_jobs"] == 7)
            for body: JSONValue in [
                ["weight": 0], ["weight": 1001], ["max_jobs": -1], ["max_runs_per_event": 0],
                ["weight": "2"], ["surprise": 1],
            ] {
                let response = try await admin.patch("/v1/projects/\(project.id)/limits", body)
                #expect(response.status == .unprocessableContent, "\(body): \(response.text)")
            }
            let reset = try await admin.patch("/v1/projects/\(project.id)/limits", ["weight": nil])
            #expect(reset["weight"] == 1 && reset["max_jobs"] == 7)
        }
    }

    @Test func quotasOnJobsAndSubscriptionsAnswer422AndCreateNothing() async throws {
        try await TestApp.run { admin in
            let project = try await TestApp.project(admin, name: "fair-quota")
            let limits = try await admin.patch(
                "/v1/projects/\(project.id)/limits", ["max_jobs": 2, "max_subscriptions_per_source": 1])
            #expect(limits.status == .ok)
            let first = try await project.api.post("/v1/jobs", ["name": "one", "kind": "noop"])
            let second = try await project.api.post("/v1/jobs", ["name": "two", "kind": "noop"])
            #expect(first.status == .created && second.status == .created)
            let third = try await project.api.post("/v1/jobs", ["name": "three", "kind": "noop"])
            #expect(third.status == .unprocessableContent, "\(third.text)")
            #expect(third.text.contains("max_jobs"))
            #expect(try await project.api.get("/v1/jobs").body?.arrayValue?.count == 2)

            let source = try await project.api.post("/v1/event-sources", ["name": "orders"])
            let subscribed = try await project.api.post(
                "/v1/event-sources/\(source.idString)/subscribe",
                ["target_type": "job", "target_id": .string(first.idString)])
            #expect(subscribed.status == .created, "\(subscribed.text)")
            let before = try await project.api.get("/v1/event-sources/\(source.idString)")
            let over = try await project.api.post(
                "/v1/event-sources/\(source.idString)/subscribe",
                ["target_type": "job", "target_id": .string(second.idString)])
            #expect(over.status == .unprocessableContent, "\(over.text)")
            #expect(over.text.contains("max_subscriptions_per_source"))
            let subscriptions = try await project.api.get("/v1/event-sources/\(source.idString)/subscriptions")
            #expect(subscriptions.body?.arrayValue?.count == 1)
            let after = try await project.api.get("/v1/event-sources/\(source.idString)")
            #expect(before.body == after.body)
        }
    }

    @Test func fanOutOverTheQuotaIsRefusedAndDispatchesNothing() async throws {
        try await TestApp.run { admin in
            let project = try await TestApp.project(admin, name: "fair-fanout")
            _ = try await admin.patch("/v1/projects/\(project.id)/limits", ["max_runs_per_event": 2])
            let source = try await project.api.post("/v1/event-sources", ["name": "orders"])
            for name in ["a", "b", "c"] {
                let job = try await project.api.post("/v1/jobs", ["name": .string(name), "kind": "noop"])
                _ = try await project.api.post(
                    "/v1/event-sources/\(source.idString)/subscribe",
                    ["target_type": "job", "target_id": .string(job.idString)])
            }
            let refused = try await project.api.post("/v1/events/dispatch", ["source": "orders", "payload": [:]])
            #expect(refused.status == .unprocessableContent, "\(refused.text)")
            #expect(refused.text.contains("max_runs_per_event"))
            #expect(try await project.api.get("/v1/events").body?.arrayValue?.isEmpty == true)
            #expect(try await project.api.get("/v1/runs").body?.arrayValue?.isEmpty == true)
            _ = try await admin.patch("/v1/projects/\(project.id)/limits", ["max_runs_per_event": 3])
            // Limits are cached per node for up to 5 s.
            var accepted = false
            for _ in 0..<200 where !accepted {
                let response = try await project.api.post("/v1/events/dispatch", ["source": "orders", "payload": [:]])
                accepted = response.status == .accepted
                if !accepted { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(accepted)
        }
    }

    @Test func dispatchesAboveTheRateQuotaAnswer429WithRetryAfter() async throws {
        try await TestApp.run { admin in
            let project = try await TestApp.project(admin, name: "fair-rate")
            _ = try await admin.patch("/v1/projects/\(project.id)/limits", ["max_dispatches_per_second": 2])
            _ = try await project.api.post("/v1/event-sources", ["name": "orders"])
            var statuses: [HTTPResponse.Status] = []
            var limited: APIResponse?
            // The bucket holds one second's worth: within any burst of 10 requests (far less than a second on any
            // machine that runs them back to back... or not), at most 2 + 2 × elapsed seconds are accepted.
            let started = ContinuousClock.now
            for _ in 0..<10 {
                let response = try await project.api.post("/v1/events/dispatch", ["source": "orders"])
                statuses.append(response.status)
                if response.status == .tooManyRequests { limited = response }
            }
            let elapsed = started.duration(to: .now)
            let accepted = statuses.filter { $0 == .accepted }.count
            let allowed = 2 + Int((Double(elapsed.components.seconds) + 1) * 2)
            #expect(accepted <= allowed, "\(accepted) accepted in \(elapsed)")
            if accepted < 10 {
                let response = try #require(limited)
                #expect(response.errorCode == "rate_limited")
                #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 >= 1)
                #expect(response.text.contains("max_dispatches_per_second"))
            }
            let events = try await project.api.get("/v1/events").body?.arrayValue?.count
            #expect(events == accepted)
        }
    }

    /// The byte quota is charged when a request arrives, whatever its answer: a body above a second's worth is
    /// admitted once (the bucket starts full) and leaves the bucket in debt, so the figures below do not depend on
    /// how fast the machine runs the requests (the debt takes about 100 s to repay).
    @Test func requestBytesAboveTheByteQuotaAnswer429AndStoreNothing() async throws {
        try await TestApp.run { admin in
            let project = try await TestApp.project(admin, name: "fair-bytes")
            let other = try await TestApp.project(admin, name: "fair-bytes-other")
            #expect(
                try await admin.patch("/v1/projects/\(project.id)/limits", ["max_event_bytes_per_second": 10]).status
                    == .unprocessableContent)
            let limits = try await admin.patch(
                "/v1/projects/\(project.id)/limits", ["max_event_bytes_per_second": 1024])
            #expect(limits["max_event_bytes_per_second"] == 1024)
            let source = try await project.api.post(
                "/v1/event-sources",
                ["name": "orders", "signature_scheme": "none", "schema": ["required": ["order"]]])
            _ = try await other.api.post("/v1/event-sources", ["name": "orders"])
            _ = try await admin.patch("/v1/projects/\(other.id)/limits", ["max_event_bytes_per_second": 1024])
            let signed = try await other.api.post(
                "/v1/event-sources", ["name": "signed", "signature_scheme": "standard-webhooks"])
            let big = JSONValue.string(String(repeating: "x", count: 100_000))

            // Refused by the schema, and charged all the same: evaluating it cost what accepting it would.
            let refused = try await project.api.post(
                "/v1/events/dispatch", ["source": "orders", "payload": ["padding": big]])
            #expect(refused.status == .unprocessableContent)

            let limited = try await project.api.post(
                "/v1/events/dispatch", ["source": "orders", "payload": ["order": 1]])
            #expect(limited.status == .tooManyRequests)
            #expect(limited.errorCode == "rate_limited")
            #expect(limited.text.contains("max_event_bytes_per_second"))
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 >= 30)

            // The node remembers the bucket's level: refusals until it refills cost no statement (a client that
            // ignores Retry-After does not make the database write the bucket's row again).
            let pool = try TestDatabase.makePool(.init(maxConnections: 1))
            try await pool.using { pool in
                let bucket = "SELECT tokens_at::text FROM project_byte_budget WHERE project_id = $1::uuid"
                let before = try await pool.query(bucket, [project.id]).first?.decode(String.self, at: 0)
                for _ in 0..<5 {
                    let again = try await project.api.post(
                        "/v1/events/dispatch", ["source": "orders", "payload": ["order": 1]])
                    #expect(again.status == .tooManyRequests)
                }
                #expect(try await pool.query(bucket, [project.id]).first?.decode(String.self, at: 0) == before)
            }

            // Ingest and admin dispatches draw on the same bucket; other projects do not, and neither do webhooks
            // whose signature fails (anyone can post to an ingest URL).
            for _ in 0..<3 {
                let forged = try await other.api.withToken(nil).request(
                    .post, "/v1/ingest/\(signed.idString)",
                    rawBody: #"{"padding": "\#(String(repeating: "y", count: 100_000))"}"#)
                #expect(forged.status == .unauthorized)
            }
            let ingest = try await project.api.withToken(nil).request(
                .post, "/v1/ingest/\(source.idString)", rawBody: #"{"order": 2}"#)
            #expect(ingest.status == .tooManyRequests)
            let byAdmin = try await admin.post(
                "/v1/events/dispatch",
                ["project_id": .string(project.id), "source": "orders", "payload": ["order": 3]])
            #expect(byAdmin.status == .tooManyRequests)
            #expect(
                try await other.api.post("/v1/events/dispatch", ["source": "orders", "payload": ["padding": big]])
                    .status == .accepted)

            #expect(try await project.api.get("/v1/events").body?.arrayValue?.count == 0)
            #expect(try await other.api.get("/v1/events").body?.arrayValue?.count == 1)
        }
    }
}
