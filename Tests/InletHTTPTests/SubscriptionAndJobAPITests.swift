import Foundation
import Inlet
import Testing

@Suite struct SubscriptionAndJobAPITests {
    @Test func jobsValidateTheirConfigAndRevealTheSecretOnce() async throws {
        try await TestApp.run { admin in
            let api = try await TestApp.project(admin).api
            let job = try await api.post(
                "/v1/jobs", ["name": "deliver", "kind": "http", "config": ["url": "https://example.com/hook"]])
            #expect(job.status == .created, "\(job.text)")
            #expect(job["config"]?["method"] == "POST")
            #expect(job["config"]?["timeout_ms"] == 10000)
            #expect(job["max_attempts"] == 10)
            #expect(job["signing_secret"]?.stringValue?.hasPrefix("whsec_") == true)
            let patchedConfig = try await api.patch(
                "/v1/jobs/\(job.idString)", ["config": ["url": "https://example.com/v2", "method": "put"]])
            #expect(patchedConfig["config"]?["method"] == "PUT")
            #expect(patchedConfig["config"]?["timeout_ms"] == 10000)
            let fetched = try await api.get("/v1/jobs/\(job.idString)")
            #expect(fetched["signing_secret"] == nil)
            #expect(fetched["kind"] == "http")

            let noop = try await api.post("/v1/jobs", ["name": "nothing", "kind": "noop", "max_attempts": 3])
            #expect(noop.status == .created)
            #expect(
                try await api.patch("/v1/jobs/\(noop.idString)", ["max_attempts": 5, "enabled": false])["max_attempts"]
                    == 5)
            #expect(try await api.patch("/v1/jobs/\(noop.idString)", ["kind": "http"]).status == .unprocessableContent)

            for (body, path) in [
                (["name": "a", "kind": "carrier-pigeon"] as JSONValue, "/kind"),
                (["name": "a", "kind": "http", "config": ["url": "ftp://x"]], "/config/url"),
                (["name": "a", "kind": "http", "config": [:]], "/config/url"),
                (["name": "a", "kind": "http", "config": ["url": "https://x.io", "method": "GET"]], "/config/method"),
                (
                    ["name": "a", "kind": "http", "config": ["url": "https://x.io", "timeout_ms": 0]],
                    "/config/timeout_ms"
                ),
                (
                    ["name": "a", "kind": "http", "config": ["url": "https://x.io", "headers": ["webhook-id": "x"]]],
                    "/config/headers/webhook-id"
                ),
                (["name": "a", "kind": "noop", "max_attempts": 101], "/max_attempts"),
                (["name": "a", "kind": "noop", "config": ["x": 1]], "/config"),
            ] {
                let response = try await api.post("/v1/jobs", body)
                #expect(response.status == .unprocessableContent, "\(body)")
                let paths =
                    response.body?["error"]?["details"]?.arrayValue?.compactMap { $0["path"]?.stringValue } ?? []
                #expect(paths.contains(path), "\(body) → \(response.text)")
            }
            #expect(try await api.get("/v1/jobs").body?.arrayValue?.count == 2)
        }
    }

    @Test func theSSRFGuardRefusesPrivateTargetsUnlessAllowed() async throws {
        let strict = TestApp.configuration { $0.allowPrivateTargets = false }
        try await TestApp.run(configuration: strict) { admin in
            let api = try await TestApp.project(admin).api
            for url in [
                "http://127.0.0.1:9000/x", "http://localhost/x", "http://10.1.2.3/x", "http://[::1]/x",
                "http://169.254.169.254/latest",
            ] {
                let response = try await api.post(
                    "/v1/jobs", ["name": "a", "kind": "http", "config": ["url": .string(url)]])
                #expect(response.status == .unprocessableContent, "\(url)")
            }
            #expect(
                try await api.post("/v1/jobs", ["name": "a", "kind": "http", "config": ["url": "https://8.8.8.8/x"]])
                    .status == .created)
        }
    }

    @Test func subscriptionsConnectASourceToAJobOfTheSameProject() async throws {
        try await TestApp.run { admin in
            let project = try await TestApp.project(admin)
            let other = try await TestApp.project(admin, name: "other")
            let api = project.api
            let source = try await api.post("/v1/event-sources", ["name": "orders"])
            let job = try await api.post("/v1/jobs", ["name": "noop", "kind": "noop"])
            let foreignJob = try await other.api.post("/v1/jobs", ["name": "theirs", "kind": "noop"])
            let base = "/v1/event-sources/\(source.idString)"

            let subscription = try await api.post(
                "\(base)/subscribe",
                ["target_type": "job", "target_id": .string(job.idString), "filter_expr": ["type": ["order.created"]]])
            #expect(subscription.status == .created, "\(subscription.text)")
            #expect(
                Set(subscription.body?.objectValue?.keys ?? []) == [
                    "id", "source_id", "target_type", "target_id", "filter_expr", "enabled", "created_at",
                    "ordering_key_path",
                ])
            #expect(subscription["filter_expr"] == ["type": ["order.created"]])

            let duplicate = try await api.post(
                "\(base)/subscribe", ["target_type": "job", "target_id": .string(job.idString)])
            #expect(duplicate.status == .conflict)
            let foreign = try await api.post(
                "\(base)/subscribe", ["target_type": "job", "target_id": .string(foreignJob.idString)])
            #expect(foreign.status == .unprocessableContent)
            let badFilter = try await api.post(
                "\(base)/subscribe",
                ["target_type": "job", "target_id": .string(job.idString), "filter_expr": ["type": "x"]])
            #expect(badFilter.status == .unprocessableContent)
            let filterPath = badFilter.body?["error"]?["details"]?.arrayValue?.first?["path"]?.stringValue
            #expect(filterPath == "/filter_expr/type", "\(badFilter.text)")
            let badType = try await api.post(
                "\(base)/subscribe", ["target_type": "queue", "target_id": .string(job.idString)])
            #expect(badType.status == .unprocessableContent)

            let list = try await api.get("\(base)/subscriptions")
            #expect(list.body?.arrayValue?.count == 1)
            let one = try await api.get("\(base)/subscriptions/\(subscription.idString)")
            #expect(one.body == subscription.body)
            let patched = try await api.patch(
                "\(base)/subscriptions/\(subscription.idString)", ["enabled": false, "filter_expr": nil])
            #expect(patched["enabled"] == false)
            #expect(patched["filter_expr"] == [:])

            // A job that subscriptions target cannot be deleted.
            let inUse = try await api.delete("/v1/jobs/\(job.idString)")
            #expect(inUse.status == .conflict)
            #expect(try await api.delete("\(base)/subscriptions/\(subscription.idString)").status == .noContent)
            #expect(try await api.delete("\(base)/subscriptions/\(subscription.idString)").status == .notFound)
            #expect(try await api.delete("/v1/jobs/\(job.idString)").status == .noContent)
            #expect(try await api.get("/v1/event-sources/\(UUID().uuidString)/subscriptions").status == .notFound)
        }
    }
}
