import Foundation
import HTTPTypes
import Inlet
import InletTestSupport
import Postgres
import Testing

@testable import InletHTTP

/// `INLET_STATEMENT_TIMEOUT_MS`: a request whose statement cannot finish (here: it waits for a row lock another
/// session holds) is cancelled by PostgreSQL and answered 503, changing nothing, instead of holding a connection.
@Suite struct StatementTimeoutTests {
    @Test func aStatementOverTheTimeoutIsCancelledAndAnswered503() async throws {
        try await OverloadTests.live({
            $0.statementTimeoutMilliseconds = 5_000
            // Waiting for a connection must not be what ends the request.
            $0.databaseAcquireTimeoutMilliseconds = 60_000
        }) { client, _ in
            let admin = APITestClient(client: client, token: TestApp.adminToken)
            let project = try await TestApp.project(admin, name: "statement-timeout")
            let job = try await project.api.post("/v1/jobs", ["name": "locked", "kind": "noop"]).idString
            let lock = try await JobRowLock(job: job)

            let blocked = try await project.api.patch("/v1/jobs/\(job)", ["name": "renamed"])
            #expect(blocked.status == .serviceUnavailable)
            #expect(blocked.errorCode == "unavailable")
            #expect(blocked.headers[.retryAfter] == "1")
            #expect(!blocked.text.contains("57014") && !blocked.text.contains("statement"))

            try await lock.release()
            #expect(try await project.api.get("/v1/jobs/\(job)")["name"] == "locked")
            #expect(try await project.api.patch("/v1/jobs/\(job)", ["name": "renamed"]).status == .ok)
        }
    }
}
