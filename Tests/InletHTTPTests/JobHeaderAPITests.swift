import Foundation
import Inlet
import InletTestSupport
import Postgres
import Testing

/// An http job's `config.headers` are secrets: accepted on create and PATCH, sealed at rest, never returned.
@Suite struct JobHeaderAPITests {
    /// What is stored for job `id`: its config as text, the header names, and the headers opened with the key.
    struct StoredRow {
        let configText: String
        let headerNames: [String]
        let sealed: [UInt8]?
        let opened: HTTPJobHeaders
    }

    static func stored(_ id: String) async throws -> StoredRow {
        let jobID = try #require(UUID(uuidString: id))
        return try await TestDatabase.makePool(.init(maxConnections: 1)).using { pool in
            let row = try #require(
                try await pool.query(
                    "SELECT config::text, header_names, sealed_headers FROM jobs WHERE id = $1", [jobID]
                )
                .first)
            let sealed = try row.decode(Data?.self, at: 2).map { [UInt8]($0) }
            let box = try SecretBox(configuration: TestApp.secretKey)
            return StoredRow(
                configText: try row.decode(String.self, at: 0), headerNames: try row.decode([String].self, at: 1),
                sealed: sealed, opened: try sealed.map { try box.openHTTPJobHeaders($0, jobID: jobID) } ?? .init())
        }
    }

    @Test func headerValuesAreWriteOnlyAndSealedAtRest() async throws {
        try await TestApp.run { admin in
            let api = try await TestApp.project(admin).api
            let token = "Bearer tok-\(UUID().uuidString)"
            let team = "team-\(UUID().uuidString)"
            var responses: [APIResponse] = []
            func record(_ response: APIResponse) -> APIResponse {
                responses.append(response)
                return response
            }

            let created = record(
                try await api.post(
                    "/v1/jobs",
                    [
                        "name": "deliver", "kind": "http",
                        "config": [
                            "url": "https://example.com/hook",
                            "headers": ["Authorization": .string(token), "x-team": .string(team)],
                        ],
                    ]))
            #expect(created.status == .created, "\(created.text)")
            let id = created.idString
            #expect(created["config"]?["header_names"] == ["Authorization", "x-team"])
            #expect(created["config"]?["headers"] == nil)
            #expect(
                record(try await api.get("/v1/jobs/\(id)"))["config"]?["header_names"] == ["Authorization", "x-team"])
            let listed = record(try await api.get("/v1/jobs"))
            #expect(listed.body?.arrayValue?.first?["config"]?["header_names"] == ["Authorization", "x-team"])

            // At rest: not in the config, not in the sealed bytes; the sealed bytes open to the headers.
            var row = try await Self.stored(id)
            #expect(
                !row.configText.contains(token) && !row.configText.contains(team) && !row.configText.contains("headers")
            )
            #expect(row.headerNames == ["Authorization", "x-team"])
            let sealed = try #require(row.sealed)
            #expect(!String(decoding: sealed, as: UTF8.self).contains(team))
            #expect(row.opened == HTTPJobHeaders([("Authorization", token), ("x-team", team)]))

            // A PATCH that does not mention headers keeps them, also one that changes the config (a merge).
            #expect(record(try await api.patch("/v1/jobs/\(id)", ["max_attempts": 3]))["config"]?["header_names"] != [])
            let retimed = record(try await api.patch("/v1/jobs/\(id)", ["config": ["timeout_ms": 2500]]))
            #expect(retimed.status == .ok, "\(retimed.text)")
            #expect(retimed["config"]?["url"] == "https://example.com/hook")
            #expect(retimed["config"]?["timeout_ms"] == 2500)
            #expect(retimed["config"]?["header_names"] == ["Authorization", "x-team"])
            #expect(try await Self.stored(id).opened == row.opened)

            // Invalid headers are refused as on create, and change nothing.
            let reserved = record(try await api.patch("/v1/jobs/\(id)", ["config": ["headers": ["webhook-id": "x"]]]))
            #expect(reserved.status == .unprocessableContent)
            #expect(reserved.body?["error"]?["details"]?.arrayValue?.first?["path"] == "/config/headers/webhook-id")
            let echoed = record(try await api.patch("/v1/jobs/\(id)", ["config": ["header_names": ["x-team"]]]))
            #expect(echoed.status == .unprocessableContent)
            #expect(echoed.body?["error"]?["details"]?.arrayValue?.first?["path"] == "/config/header_names")
            #expect(try await Self.stored(id).opened == row.opened)

            // A headers object replaces them all; null clears them.
            let replacement = "Bearer new-\(UUID().uuidString)"
            let replaced = record(
                try await api.patch("/v1/jobs/\(id)", ["config": ["headers": ["authorization": .string(replacement)]]]))
            #expect(replaced["config"]?["header_names"] == ["authorization"])
            row = try await Self.stored(id)
            #expect(row.opened == HTTPJobHeaders([("authorization", replacement)]))
            #expect(!row.configText.contains(replacement))
            let cleared = record(try await api.patch("/v1/jobs/\(id)", ["config": ["headers": nil]]))
            #expect(cleared["config"]?["header_names"] == [], "\(cleared.text)")
            row = try await Self.stored(id)
            #expect(row.sealed == nil && row.headerNames.isEmpty)

            for response in responses {
                for secret in [token, team, replacement] {
                    #expect(!response.text.contains(secret), "\(response.text)")
                }
            }
        }
    }

    @Test func anotherProjectNeitherSeesNorChangesTheHeaders() async throws {
        try await TestApp.run { admin in
            let owner = try await TestApp.project(admin, name: "owner")
            let intruder = try await TestApp.project(admin, name: "intruder")
            let token = "Bearer tok-\(UUID().uuidString)"
            let job = try await owner.api.post(
                "/v1/jobs",
                [
                    "name": "deliver", "kind": "http",
                    "config": ["url": "https://example.com/hook", "headers": ["authorization": .string(token)]],
                ]
            ).idString
            #expect(try await intruder.api.get("/v1/jobs/\(job)").status == .notFound)
            #expect(try await intruder.api.get("/v1/jobs?project_id=\(owner.id)").status == .notFound)
            let patched = try await intruder.api.patch("/v1/jobs/\(job)", ["config": ["headers": nil]])
            #expect(patched.status == .notFound)
            #expect(try await Self.stored(job).opened == HTTPJobHeaders([("authorization", token)]))
            // The admin key sees the names only, like the owner.
            let seen = try await admin.get("/v1/jobs/\(job)?project_id=\(owner.id)")
            #expect(seen["config"]?["header_names"] == ["authorization"])
            #expect(!seen.text.contains(token))
        }
    }

    @Test func plainHeadersLeftByAnOlderVersionAreHiddenAndSealedByTheNextConfigPatch() async throws {
        try await TestApp.run { admin in
            let api = try await TestApp.project(admin).api
            let id = try await api.post(
                "/v1/jobs", ["name": "legacy", "kind": "http", "config": ["url": "https://example.com/hook"]]
            ).idString
            let token = "Bearer old-\(UUID().uuidString)"
            // What versions before migration 0002 stored.
            _ = try await TestDatabase.makePool(.init(maxConnections: 1)).using { pool in
                try await pool.query(
                    "UPDATE jobs SET config = config || jsonb_build_object('headers', jsonb_build_object('x-key', $2::text)) WHERE id = $1",
                    [try #require(UUID(uuidString: id)), token])
            }
            let shown = try await api.get("/v1/jobs/\(id)")
            #expect(shown["config"]?["header_names"] == ["x-key"])
            #expect(shown["config"]?["headers"] == nil && !shown.text.contains(token))

            let patched = try await api.patch("/v1/jobs/\(id)", ["config": ["method": "put"]])
            #expect(patched["config"]?["header_names"] == ["x-key"] && !patched.text.contains(token))
            let row = try await Self.stored(id)
            #expect(!row.configText.contains(token))
            #expect(row.opened == HTTPJobHeaders([("x-key", token)]))
        }
    }
}
