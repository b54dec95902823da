import Foundation
import HTTPTypes
import Inlet
import InletTestSupport
import Postgres
import Testing

/// The hostile-input table again, checked against the database itself: every row of the project, in every tenant
/// table, is the same afterwards (the API-level counts of `HostileInputTests` cannot see subscriptions, keys or
/// attempts). Plus limits and injections in query strings and path segments of more routes.
@Suite struct HostileInputRowTests {
    static var moreCases: [HostileInputTests.Case] {
        let uuid = "00000000-0000-0000-0000-000000000000"
        let subscribe = "/v1/event-sources/\(uuid)/subscribe"
        let manyValues = (0...10_000).map { "\"v\($0)\"" }.joined(separator: ",")
        let deepFilter = String(repeating: #"{"a":"#, count: 40) + #"["x"]"# + String(repeating: "}", count: 40)
        let manySubschemas = Array(repeating: "{}", count: 10_001).joined(separator: ",")
        let target = #""target_type": "job", "target_id": "\#(uuid)""#
        return [
            .init(
                "filter over the condition limit", subscribe,
                #"{\#(target), "filter_expr": {"type": [\#(manyValues)]}}"#,
                status: 422),
            .init("filter nested 40 deep", subscribe, #"{\#(target), "filter_expr": \#(deepFilter)}"#, status: 422),
            .init(
                "schema over the subschema limit", "/v1/event-sources",
                #"{"name": "big", "schema": {"anyOf": [\#(manySubschemas)]}}"#, status: 422),
            .init("limit too large", "/v1/jobs?limit=100000", "", method: .get, status: 400),
            .init("negative limit", "/v1/events?limit=-1", "", method: .get, status: 400),
            .init("limit of the wrong type", "/v1/runs?limit=ten", "", method: .get, status: 400),
            .init("project_id injection", "/v1/jobs?project_id='%20OR%201=1", "", method: .get, status: 400),
            .init("NUL in a path id", "/v1/event-sources/%00", "", method: .get, status: 404),
            .init("SQL in a path id", "/v1/runs/1%20OR%201=1", "", method: .get, status: 404),
            .init(
                "traversal in a nested path", "/v1/event-sources/\(uuid)/subscriptions/..%2F..", "", method: .get,
                status: 404),
            .init("script in a query parameter", "/v1/events?source=%3Cscript%3E", "", method: .get, status: 404),
            .init(
                "1e999 in a patch", "/v1/jobs/\(uuid)", #"{"max_attempts": 1e999}"#, method: .patch, status: 422),
        ]
    }

    /// What the refusal of a limit case must mention.
    static let reasons = [
        "filter over the condition limit": "conditions", "filter nested 40 deep": "deeper",
        "schema over the subschema limit": "subschemas",
    ]

    @Test func hostileRequestsLeaveEveryRowOfTheProjectAsItWas() async throws {
        try await TestApp.run { admin in
            let project = try await TestApp.project(admin, name: "hostile-rows")
            let api = project.api
            let source = try await api.post("/v1/event-sources", ["name": "hostile"]).idString
            let job = try await api.post("/v1/jobs", ["name": "j", "kind": "noop"]).idString
            #expect(
                try await api.post(
                    "/v1/event-sources/\(source)/subscribe", ["target_type": "job", "target_id": .string(job)]
                ).status == .created)
            #expect(
                try await api.post("/v1/events/dispatch", ["source": "hostile", "payload": [:]]).status == .accepted)
            let pool = try TestDatabase.makePool(.init(maxConnections: 1))
            try await pool.using { pool in
                let before = try await TenancyMatrixTests.snapshot(pool, projects: [project.id])
                #expect(before["subscriptions"]?.hasPrefix("1 rows") == true)
                #expect(before["job_runs"]?.hasPrefix("1 rows") == true)
                for hostile in HostileInputTests.cases + Self.moreCases {
                    var headers = HTTPFields()
                    headers[.contentType] = hostile.contentType
                    let response = try await api.request(
                        hostile.method, hostile.path, rawBytes: hostile.body.isEmpty ? nil : hostile.body,
                        headers: headers)
                    #expect(
                        response.status.code == hostile.status,
                        "\(hostile.name): \(response.status) \(response.text.prefix(300))")
                    if let fragment = Self.reasons[hostile.name] {
                        // Refused for the limit, not for something incidental (an unknown source, say).
                        #expect(response.text.contains(fragment), "\(hostile.name): \(response.text.prefix(300))")
                    }
                }
                let after = try await TenancyMatrixTests.snapshot(pool, projects: [project.id])
                for (table, rows) in before where after[table] != rows {
                    Issue.record("hostile requests changed \(table): \(rows) → \(after[table] ?? "-")")
                }
            }
        }
    }
}
