import Foundation
import Inlet
import Testing

@Suite struct EventSourceAPITests {
    static let seedFields: Set<String> = [
        "id", "project_id", "name", "description", "schema", "enabled", "signature_header", "signature_algorithm",
        "created_at", "updated_at",
    ]

    @Test func createGetListPatchDeleteWithTheSeedShape() async throws {
        try await TestApp.run { admin in
            let project = try await TestApp.project(admin)
            let api = project.api
            let created = try await api.post(
                "/v1/event-sources",
                [
                    "project_id": .string(project.id), "name": "orders", "description": "Order events",
                    "schema": ["type": "object", "required": ["id"]],
                ])
            #expect(created.status == .created)
            let fields = Set(created.body?.objectValue?.keys ?? [])
            #expect(fields.isSuperset(of: Self.seedFields))
            #expect(created["name"] == "orders")
            #expect(created["project_id"]?.stringValue == project.id)
            #expect(created["enabled"] == true)
            #expect(created["signature_algorithm"] == "hmac-sha256")
            #expect(created["signature_header"] == .null)
            #expect(created["signing_secret"] == nil)
            let timestamp = try #require(created["created_at"]?.stringValue)
            #expect(timestamp.hasSuffix("Z") && timestamp.count == 20)
            let id = created.idString

            let fetched = try await api.get("/v1/event-sources/\(id)?project_id=\(project.id)")
            #expect(fetched.status == .ok)
            #expect(fetched.body == created.body)

            let list = try await api.get("/v1/event-sources?project_id=\(project.id)")
            #expect(list.body?.arrayValue?.map { $0["id"] } == [.string(id)])

            let patched = try await api.patch(
                "/v1/event-sources/\(id)?project_id=\(project.id)", ["description": nil, "enabled": false])
            #expect(patched.status == .ok)
            #expect(patched["description"] == .null)
            #expect(patched["enabled"] == false)
            #expect(patched["name"] == "orders")

            #expect(try await api.delete("/v1/event-sources/\(id)?project_id=\(project.id)").status == .noContent)
            #expect(try await api.get("/v1/event-sources/\(id)?project_id=\(project.id)").status == .notFound)
            #expect(try await api.delete("/v1/event-sources/\(id)?project_id=\(project.id)").status == .notFound)
        }
    }

    @Test func projectKeysMayOmitProjectIDButAdminKeysMustNameOne() async throws {
        try await TestApp.run { admin in
            let project = try await TestApp.project(admin)
            #expect(try await project.api.post("/v1/event-sources", ["name": "a"]).status == .created)
            let missing = try await admin.post("/v1/event-sources", ["name": "b"])
            #expect(missing.status == .unprocessableContent)
            #expect(
                try await admin.post("/v1/event-sources", ["name": "b", "project_id": .string(project.id)]).status
                    == .created)
            #expect(try await admin.get("/v1/event-sources?project_id=\(project.id)").body?.arrayValue?.count == 2)
            let unknownProject = UUID().uuidString.lowercased()
            #expect(try await admin.get("/v1/event-sources?project_id=\(unknownProject)").status == .notFound)
        }
    }

    @Test func invalidInputIsRefusedWithDetailsAndChangesNothing() async throws {
        try await TestApp.run { admin in
            let project = try await TestApp.project(admin)
            let api = project.api
            func expectError(
                _ response: APIResponse, _ status: Int, _ code: String, path: String? = nil,
                sourceLocation: SourceLocation = #_sourceLocation
            ) {
                #expect(response.status.code == status, "\(response.text)", sourceLocation: sourceLocation)
                #expect(response.errorCode == code, "\(response.text)", sourceLocation: sourceLocation)
                if let path {
                    let paths =
                        response.body?["error"]?["details"]?.arrayValue?.compactMap { $0["path"]?.stringValue } ?? []
                    #expect(paths.contains(path), "\(response.text)", sourceLocation: sourceLocation)
                }
            }
            expectError(
                try await api.post("/v1/event-sources", ["name": "bad name!"]), 422, "validation_failed", path: "/name")
            expectError(
                try await api.post("/v1/event-sources", ["description": "x"]), 422, "validation_failed", path: "/name")
            expectError(try await api.post("/v1/event-sources", ["name": 5]), 422, "validation_failed", path: "/name")
            expectError(
                try await api.post("/v1/event-sources", ["name": "a", "colour": "red"]), 422, "validation_failed",
                path: "/colour")
            expectError(
                try await api.post("/v1/event-sources", ["name": "a", "schema": ["type": "strnig"]]), 422,
                "validation_failed", path: "/schema/type")
            expectError(
                try await api.post("/v1/event-sources", ["name": "a", "signature_scheme": "magic"]), 422,
                "validation_failed", path: "/signature_scheme")
            expectError(try await api.request(.post, "/v1/event-sources", rawBody: "{\"name\": "), 400, "invalid_json")
            expectError(try await api.request(.post, "/v1/event-sources", rawBody: "[1]"), 422, "validation_failed")
            expectError(
                try await api.request(.post, "/v1/event-sources", rawBody: "{\"name\":\"a\",\"name\":\"b\"}"), 400,
                "duplicate_key")
            expectError(
                try await api.request(
                    .post, "/v1/event-sources", rawBody: "name=a",
                    headers: [.contentType: "application/x-www-form-urlencoded"]),
                415, "unsupported_media_type")
            let huge = JSONValue.object(
                JSONObject([("name", "big"), ("description", .string(String(repeating: "x", count: 2 << 20)))]))
            expectError(try await api.post("/v1/event-sources", huge), 413, "payload_too_large")
            expectError(try await api.get("/v1/event-sources?limit=0"), 400, "bad_request")
            expectError(try await api.get("/v1/event-sources?after=nope"), 400, "bad_request")
            expectError(try await api.get("/v1/event-sources/not-a-uuid"), 404, "not_found")

            #expect(try await api.post("/v1/event-sources", ["name": "taken"]).status == .created)
            expectError(try await api.post("/v1/event-sources", ["name": "taken"]), 409, "conflict")
            #expect(try await api.get("/v1/event-sources").body?.arrayValue?.count == 1)
        }
    }

    @Test func signingSecretsAreWriteOnlyAndRotateWithAGracePeriod() async throws {
        try await TestApp.run { admin in
            let api = try await TestApp.project(admin).api
            let created = try await api.post(
                "/v1/event-sources", ["name": "github", "signature_header": "X-Hub-Signature-256"])
            #expect(created.status == .created)
            #expect(created["signature_scheme"] == "hmac")
            let secret = try #require(created["signing_secret"]?.stringValue)
            #expect(secret.count >= 32)
            let fetched = try await api.get("/v1/event-sources/\(created.idString)")
            #expect(fetched["signing_secret"] == nil)
            #expect(!fetched.text.contains(secret))

            let rotated = try await api.request(.post, "/v1/event-sources/\(created.idString)/rotate-secret")
            #expect(rotated.status == .ok)
            let newSecret = try #require(rotated["signing_secret"]?.stringValue)
            #expect(newSecret != secret)

            let stripe = try await api.post("/v1/event-sources", ["name": "stripe", "signature_scheme": "stripe"])
            #expect(stripe["signature_header"] == "stripe-signature")
            #expect(stripe["signing_secret"]?.stringValue?.hasPrefix("whsec_") == true)
            let conflicting = try await api.post(
                "/v1/event-sources",
                ["name": "stripe2", "signature_scheme": "stripe", "signature_algorithm": "hmac-sha1"])
            #expect(conflicting.status == .unprocessableContent)
            let webhooks = try await api.post(
                "/v1/event-sources",
                ["name": "sw", "signature_scheme": "standard-webhooks", "signing_secret": "not-whsec"])
            #expect(webhooks.status == .unprocessableContent)

            let plain = try await api.post("/v1/event-sources", ["name": "plain"])
            #expect(
                try await api.request(.post, "/v1/event-sources/\(plain.idString)/rotate-secret").status == .conflict)
        }
    }
}
