import Foundation
import HTTPTypes
import Inlet
import Testing

@testable import InletHTTP

/// The web console's pages (`/console`), `INLET_CONSOLE`, and the API additions it relies on: `GET /v1/stats` and
/// the event list's `via`, `from` and `to` filters.
@Suite struct ConsoleTests {
    @Test func theConsoleIsServedWithAStrictPolicyAndNothingCached() async throws {
        try await TestApp.run { admin in
            let page = try await admin.withToken(nil).get("/console")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.text.contains("<script type=\"module\" src=\"/console/app.js\"></script>"))
            let policy = try #require(page.headers[HTTPField.Name("Content-Security-Policy")!])
            #expect(policy.contains("script-src 'self';"))
            #expect(policy.contains("frame-ancestors 'none'"))
            #expect(!policy.contains("unsafe-inline"))
            #expect(page.headers[.cacheControl] == "no-store")
            #expect(page.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            let script = try await admin.withToken(nil).get("/console/app.js")
            #expect(script.status == .ok)
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
            let slash = try await admin.withToken(nil).get("/console/")
            #expect(slash.status == .ok)
            #expect(slash.text == page.text)
            let missing = try await admin.withToken(nil).get("/console/nothing.js")
            #expect(missing.status == .notFound)
            let traversal = try await admin.withToken(nil).get("/console/..%2Fopenapi.json")
            #expect(traversal.status == .notFound)
        }
    }

    /// What the console reads with a key, secrets included, is never stored by a browser or proxy cache.
    @Test func apiAnswersAreNotCached() async throws {
        try await TestApp.run { admin in
            let api = try await TestApp.project(admin).api
            let created = try await api.post("/v1/jobs", ["name": "cached", "kind": "noop"])
            #expect(created.status == .created)
            #expect(created.headers[.cacheControl] == "no-store")
            let listed = try await api.get("/v1/jobs")
            #expect(listed.headers[.cacheControl] == "no-store")
            let rotated = try await api.post("/v1/jobs/\(created.idString)/rotate-secret", [:])
            #expect(rotated["signing_secret"] != nil)
            #expect(rotated.headers[.cacheControl] == "no-store")
        }
    }

    @Test func inletConsoleFalseTurnsTheConsoleOff() async throws {
        #expect(try ServerConfiguration(environment: ["DATABASE_URL": "x", "INLET_SECRET_KEY": "y"]).console)
        let off = try ServerConfiguration(
            environment: ["DATABASE_URL": "x", "INLET_SECRET_KEY": "y", "INLET_CONSOLE": "false"])
        #expect(!off.console)
        try await TestApp.run(configuration: TestApp.configuration { $0.console = false }) { admin in
            let page = try await admin.withToken(nil).get("/console")
            #expect(page.status == .notFound)
            let script = try await admin.withToken(nil).get("/console/app.js")
            #expect(script.status == .notFound)
            let health = try await admin.withToken(nil).get("/healthz")
            #expect(health.status == .ok)
        }
    }

    /// `scripts/console-assets` was run after the last change to a file under `Console/Assets`.
    @Test func theEmbeddedFilesAreTheCurrentOnes() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/InletHTTP/Console/Assets").standardizedFileURL
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }
        #expect(Set(names) == Set(ConsoleAssets.files.keys), "run scripts/console-assets")
        for name in names {
            let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
            let isCurrent = ConsoleAssets.files[name]?.bytes == bytes  // a Bool: the bytes would flood the log
            #expect(isCurrent, "\(name) changed: run scripts/console-assets")
        }
        #expect(ConsoleAssets.files["index.html"] != nil)
    }

    @Test func statsCountEachJobsRunsByStatus() async throws {
        try await TestApp.run { admin in
            let project = try await TestApp.project(admin)
            let api = project.api
            let source = try await api.post("/v1/event-sources", ["name": "stats-source"])
            let busy = try await api.post("/v1/jobs", ["name": "busy", "kind": "noop"])
            let idle = try await api.post("/v1/jobs", ["name": "idle", "kind": "noop"])
            _ = try await api.post(
                "/v1/event-sources/\(source.idString)/subscribe",
                ["target_type": "job", "target_id": .string(busy.idString)])
            for n in 1...3 {
                let dispatched = try await api.post(
                    "/v1/events/dispatch", ["source": "stats-source", "payload": ["n": .int(Int64(n))]])
                #expect(dispatched.status == .accepted)
            }
            let stats = try await api.get("/v1/stats")
            #expect(stats.status == .ok, "\(stats.text)")
            #expect(stats["project_id"]?.stringValue == project.id)
            #expect(stats["bucket_seconds"] == .int(300))
            let jobs = try #require(stats["jobs"]?.arrayValue)
            #expect(jobs.count == 2)
            let busyStats = try #require(jobs.first { $0["job_id"]?.stringValue == busy.idString })
            #expect(busyStats["queued"] == .int(3))
            #expect(busyStats["dead"] == .int(0))
            #expect(busyStats["failure_rate"] == .null)
            #expect(busyStats["buckets"]?.arrayValue?.count == 12)
            let idleStats = try #require(jobs.first { $0["job_id"]?.stringValue == idle.idString })
            #expect(idleStats["queued"] == .int(0))
            // An admin key names the project; another project sees none of these jobs.
            let asAdmin = try await admin.get("/v1/stats?project_id=\(project.id)")
            #expect(asAdmin["jobs"]?.arrayValue?.count == 2)
            let other = try await TestApp.project(admin)
            let otherProject = try await other.api.get("/v1/stats")
            #expect(otherProject["jobs"]?.arrayValue?.count == 0)
        }
    }

    @Test func eventsFilterByWayOfArrivalAndTime() async throws {
        try await TestApp.run { admin in
            let api = try await TestApp.project(admin).api
            _ = try await api.post("/v1/event-sources", ["name": "filtered"])
            let dispatched = try await api.post("/v1/events/dispatch", ["source": "filtered"])
            #expect(dispatched.status == .accepted)
            let viaAPI = try await api.get("/v1/events?via=api")
            #expect(viaAPI.body?.arrayValue?.count == 1)
            let viaIngest = try await api.get("/v1/events?via=ingest")
            #expect(viaIngest.body?.arrayValue?.count == 0)
            let since2000 = try await api.get("/v1/events?from=2000-01-01T00:00:00Z")
            #expect(since2000.body?.arrayValue?.count == 1)
            let future = try await api.get("/v1/events?from=2999-01-01T00:00:00Z")
            #expect(future.body?.arrayValue?.count == 0)
            let before2000 = try await api.get("/v1/events?to=2000-01-01T00:00:00Z")
            #expect(before2000.body?.arrayValue?.count == 0)
            let badVia = try await api.get("/v1/events?via=email")
            #expect(badVia.status == .badRequest)
            let badFrom = try await api.get("/v1/events?from=yesterday")
            #expect(badFrom.status == .badRequest)
        }
    }
}
