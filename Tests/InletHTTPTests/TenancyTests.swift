import Foundation
import HTTPTypes
import Inlet
import Testing

/// Every route, called with another project's key, answers 404 and changes nothing; without a valid token, 401.
@Suite struct TenancyTests {
    struct Fixture: Sendable {
        let project: TestProject
        let source: String
        let job: String
        let subscription: String
    }

    static func fixture(_ admin: APITestClient) async throws -> Fixture {
        let project = try await TestApp.project(admin, name: "victim")
        let source = try await project.api.post("/v1/event-sources", ["name": "orders", "signature_header": "x-sig"])
            .idString
        let job = try await project.api.post("/v1/jobs", ["name": "noop", "kind": "noop"]).idString
        let subscription = try await project.api.post(
            "/v1/event-sources/\(source)/subscribe", ["target_type": "job", "target_id": .string(job)]
        ).idString
        return Fixture(project: project, source: source, job: job, subscription: subscription)
    }

    /// Routes that act on the victim's resources, with a body for writes.
    static func routes(_ f: Fixture) -> [(HTTPRequest.Method, String, JSONValue?)] {
        let p = "project_id=\(f.project.id)"
        return [
            (.get, "/v1/event-sources?\(p)", nil),
            (.post, "/v1/event-sources", ["project_id": .string(f.project.id), "name": "intruder"]),
            (.get, "/v1/event-sources/\(f.source)?\(p)", nil),
            (.get, "/v1/event-sources/\(f.source)", nil),
            (.patch, "/v1/event-sources/\(f.source)", ["name": "hijacked"]),
            (.delete, "/v1/event-sources/\(f.source)", nil),
            (.post, "/v1/event-sources/\(f.source)/rotate-secret", nil),
            (.get, "/v1/event-sources/\(f.source)/subscriptions", nil),
            (.post, "/v1/event-sources/\(f.source)/subscribe", ["target_type": "job", "target_id": .string(f.job)]),
            (.get, "/v1/event-sources/\(f.source)/subscriptions/\(f.subscription)", nil),
            (.patch, "/v1/event-sources/\(f.source)/subscriptions/\(f.subscription)", ["enabled": false]),
            (.delete, "/v1/event-sources/\(f.source)/subscriptions/\(f.subscription)", nil),
            (.get, "/v1/jobs?\(p)", nil),
            (.post, "/v1/jobs", ["project_id": .string(f.project.id), "name": "intruder", "kind": "noop"]),
            (.get, "/v1/jobs/\(f.job)", nil),
            (.patch, "/v1/jobs/\(f.job)", ["enabled": false]),
            (.delete, "/v1/jobs/\(f.job)", nil),
            (.get, "/v1/projects/\(f.project.id)", nil),
            (.get, "/v1/projects/\(f.project.id)/api-keys", nil),
            (.post, "/v1/projects/\(f.project.id)/api-keys", ["name": "intruder"]),
        ]
    }

    /// What the victim can see, to prove nothing changed.
    static func snapshot(_ f: Fixture) async throws -> [JSONValue?] {
        let api = f.project.api
        return [
            try await api.get("/v1/event-sources").body, try await api.get("/v1/jobs").body,
            try await api.get("/v1/event-sources/\(f.source)/subscriptions").body,
            try await api.get("/v1/projects/\(f.project.id)/api-keys").body?.arrayValue?.count.description.jsonString,
        ]
    }

    @Test func anotherProjectsKeySeesNothingAndChangesNothing() async throws {
        try await TestApp.run { admin in
            let fixture = try await Self.fixture(admin)
            let attacker = try await TestApp.project(admin, name: "attacker")
            let before = try await Self.snapshot(fixture)
            for (method, path, body) in Self.routes(fixture) {
                let response = try await attacker.api.request(method, path, json: body)
                #expect(response.status == .notFound, "\(method) \(path) → \(response.status) \(response.text)")
                #expect(response.errorCode == "not_found")
            }
            #expect(try await Self.snapshot(fixture) == before)
        }
    }

    @Test func missingOrInvalidTokensAre401() async throws {
        try await TestApp.run { admin in
            let fixture = try await Self.fixture(admin)
            let before = try await Self.snapshot(fixture)
            for token in [nil, "", "inl_unknown_token_abcdefghijklmnopqrstuvwxyz0123456789", "garbage", "Basic abc"] {
                for (method, path, body) in Self.routes(fixture) {
                    let response = try await admin.withToken(token).request(method, path, json: body)
                    #expect(
                        response.status == .unauthorized, "\(token ?? "nil") \(method) \(path) → \(response.status)")
                }
            }
            let wrongScheme = try await admin.withToken(nil).request(
                .get, "/v1/jobs", headers: [.authorization: "Basic \(TestApp.adminToken)"])
            #expect(wrongScheme.status == .unauthorized)
            #expect(try await Self.snapshot(fixture) == before)
        }
    }

    @Test func adminKeysReachEveryProjectAndProjectKeysCannotManageProjects() async throws {
        try await TestApp.run { admin in
            let fixture = try await Self.fixture(admin)
            let p = "project_id=\(fixture.project.id)"
            #expect(try await admin.get("/v1/event-sources/\(fixture.source)?\(p)").status == .ok)
            #expect(try await admin.get("/v1/event-sources/\(fixture.source)/subscriptions").status == .ok)
            #expect(try await admin.get("/v1/jobs/\(fixture.job)?\(p)").status == .ok)
            #expect(try await fixture.project.api.post("/v1/projects", ["name": "x"]).status == .forbidden)
            let listed = try await fixture.project.api.get("/v1/projects")
            #expect(listed.body?.arrayValue?.map { $0["id"] } == [.string(fixture.project.id)])
            // A deleted key stops working (within the auth cache lifetime).
            let key = try await admin.post("/v1/projects/\(fixture.project.id)/api-keys", ["name": "temporary"])
            let temporary = admin.withToken(key["token"]?.stringValue)
            #expect(try await temporary.get("/v1/jobs").status == .ok)
            #expect(
                try await admin.delete("/v1/projects/\(fixture.project.id)/api-keys/\(key.idString)").status
                    == .noContent)
            let keys = try await admin.get("/v1/projects/\(fixture.project.id)/api-keys")
            #expect(keys.body?.arrayValue?.contains { $0["id"]?.stringValue == key.idString } == false)
            #expect(!keys.text.contains(key["token"]?.stringValue ?? "-"))
        }
    }

    @Test func paginationWalksEveryRowOnceNewestFirst() async throws {
        try await TestApp.run { admin in
            let api = try await TestApp.project(admin).api
            var created: [String] = []
            for index in 0..<250 {
                created.append(
                    try await api.post("/v1/jobs", ["name": .string("job-\(index)"), "kind": "noop"]).idString)
            }
            var seen: [String] = []
            var uri: String? = "/v1/jobs?limit=100"
            var pages = 0
            while let next = uri {
                let page = try await api.get(next)
                #expect(page.status == .ok)
                seen += page.body?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                pages += 1
                uri = page.headers[.init("Link")!].flatMap { link in
                    guard let start = link.firstIndex(of: "<"), let end = link.firstIndex(of: ">") else { return nil }
                    return String(link[link.index(after: start)..<end])
                }
            }
            #expect(pages == 3)
            #expect(seen == created.reversed())
        }
    }
}

extension String {
    fileprivate var jsonString: JSONValue { .string(self) }
}
