import Crypto
import Foundation
import HTTPTypes
import Inlet
import InletHTTP
import Testing

@Suite struct OperabilityTests {
    /// Per-project series are opt-in (`INLET_METRICS_PROJECT_LABELS`), so this application turns them on.
    static let projectLabels = TestApp.configuration { $0.metricsProjectLabels = true }

    @Test func metricsCountRequestsByRouteTemplateAndDispatchesByProject() async throws {
        try await TestApp.run(configuration: Self.projectLabels) { admin in
            let project = try await TestApp.project(admin)
            let api = project.api
            _ = try await api.post("/v1/event-sources", ["name": "m"])
            let job = try await api.post("/v1/jobs", ["name": "j", "kind": "noop"]).idString
            _ = try await api.get("/v1/jobs/\(job)")
            _ = try await api.post("/v1/events/dispatch", ["source": "m", "payload": [:]])
            let metrics = try await admin.get("/metrics")
            #expect(metrics.status == .ok)
            #expect(
                metrics.text.contains(#"inlet_http_requests_total{method="GET",route="/v1/jobs/{id}",status="200"} 1"#))
            #expect(!metrics.text.contains(job))
            #expect(
                metrics.text.contains(
                    #"inlet_dispatch_events_total{project="\#(project.id)",outcome="unmatched",via="api"} 1"#))
            #expect(metrics.text.contains("inlet_db_pool_connections"))
            #expect(metrics.text.contains("inlet_runs_queued"))
            #expect(metrics.text.contains("inlet_http_request_duration_seconds_bucket"))
        }
    }

    @Test func metricsAreForAdminKeysOnlyAndNameNoProjectByDefault() async throws {
        try await TestApp.run { admin in
            let project = try await TestApp.project(admin)
            _ = try await project.api.post("/v1/event-sources", ["name": "m"])
            _ = try await project.api.post("/v1/events/dispatch", ["source": "m", "payload": [:]])
            let anonymous = try await admin.withToken(nil).get("/metrics")
            #expect(anonymous.status == .unauthorized)
            #expect(!anonymous.text.contains("inlet_"))
            let projectKey = try await project.api.get("/metrics")
            #expect(projectKey.status == .forbidden)
            #expect(!projectKey.text.contains("inlet_"))
            let metrics = try await admin.get("/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.text.contains(#"inlet_dispatch_events_total{outcome="unmatched",via="api"}"#))
            #expect(!metrics.text.contains(project.id))
            #expect(!metrics.text.contains("project="))
        }
    }

    @Test func ingestMetricsCountRejectedSignaturesByReasonAndAcceptedIngestsAsDispatches() async throws {
        try await TestApp.run(configuration: Self.projectLabels) { admin in
            let project = try await TestApp.project(admin)
            let api = project.api
            let anonymous = api.withToken(nil)
            let source = try await api.post(
                "/v1/event-sources", ["name": "github", "signature_header": "X-Hub-Signature-256"])
            let secret = try #require(source["signing_secret"]?.stringValue)
            let body = #"{"ref":"main"}"#
            let mac = HMAC<SHA256>.authenticationCode(
                for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
            let signature = "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
            let path = "/v1/ingest/\(source.idString)"
            let header = HTTPField.Name("X-Hub-Signature-256")!
            #expect(
                try await anonymous.request(.post, path, rawBody: body, headers: [header: signature]).status
                    == .accepted)
            for forged in [
                "sha256=" + String(repeating: "0", count: 64), "sha256=" + String(repeating: "1", count: 64),
            ] {
                let response = try await anonymous.request(.post, path, rawBody: body, headers: [header: forged])
                #expect(response.status == .unauthorized)
                #expect(!response.text.contains("mismatch"))
            }
            #expect(try await anonymous.request(.post, path, rawBody: body).status == .unauthorized)

            let metrics = try await admin.get("/metrics").text
            let label = #"project="\#(project.id)""#
            #expect(
                metrics.contains(#"inlet_ingest_rejected_total{\#(label),reason="signature_mismatch"} 2"#), "\(metrics)"
            )
            #expect(metrics.contains(#"inlet_ingest_rejected_total{\#(label),reason="missing_header"} 1"#))
            #expect(metrics.contains(#"inlet_dispatch_events_total{\#(label),outcome="unmatched",via="ingest"} 1"#))
            #expect(!metrics.contains(source.idString))
        }
    }

    @Test func healthReadinessAndRequestIDs() async throws {
        try await TestApp.run { admin in
            let anonymous = admin.withToken(nil)
            #expect(try await anonymous.get("/healthz").status == .ok)
            let ready = try await anonymous.get("/readyz")
            #expect(ready.status == .ok)
            let echoed = try await anonymous.request(.get, "/healthz", headers: [.init("X-Request-Id")!: "trace-123"])
            #expect(echoed.headers[.init("X-Request-Id")!] == "trace-123")
            let generated = try await anonymous.get("/healthz").headers[.init("X-Request-Id")!]
            #expect(generated?.count == 36)
            let notFound = try await anonymous.get("/nowhere")
            #expect(notFound.status == .notFound)
            #expect(notFound.errorCode == "not_found")
        }
        // A database that is unreachable makes /readyz fail quickly while /healthz stays up.
        let unreachable = TestApp.configuration {
            $0.databaseURL = "postgres://nobody@127.0.0.1:1/none"
            $0.databaseAcquireTimeoutMilliseconds = 200
        }
        try await TestApp.run(configuration: unreachable) { admin in
            let anonymous = admin.withToken(nil)
            #expect(try await anonymous.get("/healthz").status == .ok)
            #expect(try await anonymous.get("/readyz").status == .serviceUnavailable)
            let api = try await admin.get("/v1/jobs?project_id=\(UUID().uuidString)")
            #expect(api.status == .serviceUnavailable)
            #expect(api.errorCode == "unavailable")
            #expect(!api.text.contains("127.0.0.1"))
        }
    }

    @Test func configurationErrorsNameTheVariable() {
        func error(_ environment: [String: String]) -> String? {
            do {
                _ = try ServerConfiguration(environment: environment)
                return nil
            } catch {
                return error.description
            }
        }
        let base = ["DATABASE_URL": "postgres://x@localhost/y", "INLET_SECRET_KEY": String(repeating: "a", count: 64)]
        #expect(error(base) == nil)
        #expect(error([:])?.hasPrefix("DATABASE_URL") == true)
        #expect(error(base.merging(["INLET_PORT": "http"]) { $1 })?.hasPrefix("INLET_PORT") == true)
        #expect(
            error(base.merging(["INLET_ALLOW_PRIVATE_TARGETS": "maybe"]) { $1 })?.hasPrefix(
                "INLET_ALLOW_PRIVATE_TARGETS") == true)
        #expect(error(base.merging(["INLET_ADMIN_TOKEN": "short"]) { $1 })?.hasPrefix("INLET_ADMIN_TOKEN") == true)
        #expect(error(base.merging(["INLET_LOG_FORMAT": "xml"]) { $1 })?.hasPrefix("INLET_LOG_FORMAT") == true)
        #expect(error(["DATABASE_URL": "postgres://x@localhost/y"])?.hasPrefix("INLET_SECRET_KEY") == true)
    }
}
