import Foundation
import HTTPTypes
import Hummingbird
import Inlet
import InletStore
import Logging
import Prometheus
import Testing

@testable import InletHTTP

/// `GET /openapi.json` describes exactly the routes the router serves, and real responses match it.
@Suite struct OpenAPITests {
    /// Documented ahead of the code that serves them (built in parallel); a route here may or may not be routed yet.
    static let documentedAheadOfRouter: Set<String> = ["POST /v1/ingest/{source_id}"]

    static func servedDocument(_ api: APITestClient) async throws -> DocumentedAPI {
        let response = try await api.withToken(nil).get("/openapi.json")
        try #require(response.status == .ok)
        return DocumentedAPI(try #require(response.body))
    }

    /// The routes the application's router holds, as `METHOD /path/{capture}`.
    static func routedOperations() async throws -> Set<String> {
        let configuration = TestApp.configuration()
        let logger = Logger(label: "openapi-tests")
        let pool = try makePool(configuration, logger: logger)
        let services = Services(
            pool: pool, secrets: try SecretBox(configuration: configuration.secretKey),
            projects: ProjectRepository(pool: pool), notifier: RunNotifier(pool: pool, logger: logger),
            configuration: configuration)
        let router = buildRouter(
            services: services, migrator: Migrator(migrations: [], logger: logger),
            metrics: MetricsController(registry: PrometheusCollectorRegistry(), pool: pool))
        await pool.shutdown()
        // The console's static pages are not part of the API.
        return Set(router.routes.map { "\($0.method.rawValue) \($0.path)" }.filter { !$0.hasPrefix("GET /console") })
    }

    @Test func theDocumentIsServedAsOpenAPI31WithoutAToken() async throws {
        try await TestApp.run { admin in
            let response = try await admin.withToken(nil).get("/openapi.json")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            let document = try #require(response.body)
            #expect(document["openapi"] == "3.1.0")
            #expect(document["info"]?["title"] == "Inlet")
            #expect(document["components"]?["securitySchemes"]?["bearerAuth"]?["scheme"] == "bearer")
            #expect(document == OpenAPIDocument.json)
        }
    }

    @Test func everyRoutedOperationIsDocumentedAndEveryDocumentedOneIsRouted() async throws {
        let routed = try await Self.routedOperations()
        let documented = Set(DocumentedAPI(OpenAPIDocument.json).operations.map(\.description))
        #expect(routed.count > 30)
        #expect(routed.subtracting(documented).isEmpty, "routed but not documented: \(routed.subtracting(documented))")
        let missing = documented.subtracting(routed).subtracting(Self.documentedAheadOfRouter)
        #expect(missing.isEmpty, "documented but not routed: \(missing)")
    }

    @Test func operationIDsAreUniqueAndLinksAndReferencesResolve() throws {
        let api = DocumentedAPI(OpenAPIDocument.json)
        let ids = api.operations.compactMap { api.operationObject($0)?["operationId"]?.stringValue }
        #expect(ids.count == api.operations.count)
        #expect(Set(ids).count == ids.count)
        let references = DocumentedAPI.references(in: api.document)
        #expect(references.count > 100)
        for (place, reference) in references {
            #expect(reference.hasPrefix("#/"), "\(place): \(reference)")
            #expect(api.value(at: String(reference.dropFirst())) != nil, "\(place): \(reference) does not resolve")
        }
        for operation in api.operations {
            for (_, response) in api.operationObject(operation)?["responses"]?.objectValue ?? JSONObject() {
                for (name, link) in response["links"]?.objectValue ?? JSONObject() {
                    #expect(ids.contains(link["operationId"]?.stringValue ?? ""), "\(operation) link \(name)")
                }
            }
        }
        // Every schema compiles as draft 2020-12, and its examples are valid against it.
        let resource = api.document.adding("$id", .string(DocumentedAPI.documentURI))
        for (name, schema) in api.document["components"]?["schemas"]?.objectValue ?? JSONObject() {
            let reference: JSONValue = ["$ref": .string(DocumentedAPI.documentURI + "#/components/schemas/" + name)]
            let compiled = try JSONSchema(reference, resources: [resource])
            for example in schema["examples"]?.arrayValue ?? [] {
                #expect(compiled.validate(example).isEmpty, "\(name) example \(example)")
            }
        }
    }

    @Test func bearerAuthenticationGuardsEveryV1RouteButIngestAndTheMetrics() {
        let api = DocumentedAPI(OpenAPIDocument.json)
        #expect(api.document["security"] == [["bearerAuth": []]])
        for operation in api.operations {
            let object = api.operationObject(operation)
            let open = object?["security"] == []
            let guarded =
                (operation.path.hasPrefix("/v1/") && !operation.path.hasPrefix("/v1/ingest/"))
                || operation.path == "/metrics"
            #expect(open == !guarded, "\(operation)")
            #expect(
                (object?["responses"]?["401"] != nil) == (guarded || operation.path.hasPrefix("/v1/")), "\(operation)")
        }
    }

    @Test func theSeedsFieldsAreTheSchemasFields() {
        let schemas = OpenAPIDocument.json["components"]?["schemas"]
        func properties(_ name: String) -> Set<String> { Set(schemas?[name]?["properties"]?.objectValue?.keys ?? []) }
        let seedSource: Set = [
            "id", "project_id", "name", "description", "schema", "enabled", "signature_header", "signature_algorithm",
            "created_at", "updated_at",
        ]
        #expect(properties("EventSource").isSuperset(of: seedSource))
        #expect(properties("EventSourceCreate").isSuperset(of: ["project_id", "name"]))
        #expect(schemas?["EventSourceCreate"]?["required"] == ["name"])
        // The seed's fields, and only one extension: ordering_key_path (issue 16, ordering per key).
        #expect(
            properties("Subscription")
                == [
                    "id", "source_id", "target_type", "target_id", "filter_expr", "enabled", "created_at",
                    "ordering_key_path",
                ])
        #expect(properties("SubscriptionCreate").isSuperset(of: ["target_type", "target_id"]))
        #expect(schemas?["SubscriptionCreate"]?["required"] == ["target_type", "target_id"])
        #expect(properties("DispatchRequest").isSuperset(of: ["source", "project_id"]))
        #expect(properties("DispatchResponse").isSuperset(of: ["dispatched", "source"]))
        #expect(
            schemas?["EventSource"]?["properties"]?["signature_algorithm"]?["enum"]?.arrayValue?.contains("hmac-sha256")
                == true)
        #expect(schemas?["Subscription"]?["properties"]?["target_type"]?["enum"] == ["job"])
    }

    /// Without a token, every `/v1` operation but ingest answers a documented 401.
    @Test func everyAuthenticatedOperationAnswersADocumented401WithoutAToken() async throws {
        try await TestApp.run { admin in
            let documented = try await Self.servedDocument(admin)
            let client = ConformanceClient(api: admin.withToken(nil), documented: documented, coverage: Coverage())
            for operation in documented.operations where operation.path.hasPrefix("/v1/") {
                guard !operation.path.hasPrefix("/v1/ingest/") else { continue }
                let uri = operation.path.replacing(/\{[a-z_]+\}/) { _ in UUID().uuidString.lowercased() }
                try await client.call(
                    HTTPRequest.Method(operation.method.uppercased())!, uri,
                    json: operation.method == "get" || operation.method == "delete" ? nil : [:], expect: .unauthorized)
            }
        }
    }
}

extension OpenAPITests {
    /// The checks the response tests rely on do catch drift: a wrong format, a missing or an extra field, an
    /// undocumented status.
    @Test func theResponseCheckCatchesDrift() throws {
        let api = DocumentedAPI(OpenAPIDocument.json)
        func problems(_ status: HTTPResponse.Status, _ body: JSONValue) throws -> [String] {
            let response = APIResponse(
                status: status, headers: [.contentType: "application/json", HTTPField.Name("X-Request-Id")!: "r"],
                body: body, text: body.serialized())
            return try api.problems(.get, "/v1/projects/\(UUID())", response)
        }
        let project: JSONValue = [
            "id": "01a218d8-9822-73a0-ac4a-85ea9192c3ee", "name": "p", "created_at": "2026-11-26T17:12:57Z",
        ]
        #expect(try problems(.ok, project).isEmpty)
        #expect(try problems(.ok, project.adding("id", "01A218D8-9822-73A0-AC4A-85EA9192C3EE")).count == 1)
        #expect(try problems(.ok, project.adding("created_at", "2026-11-26 17:12:57")).count == 1)
        #expect(try problems(.ok, project.adding("colour", "red")).count == 1)
        #expect(try !problems(.ok, ["id": "01a218d8-9822-73a0-ac4a-85ea9192c3ee"]).isEmpty)
        #expect(try problems(.conflict, ["error": ["code": "conflict", "message": "m"]]).count == 1)
        #expect(try problems(.notFound, ["error": ["code": "not_found", "message": "m"]]).isEmpty)
        #expect(try problems(.notFound, ["error": ["code": "not_found"]]).count == 1)
    }
}
