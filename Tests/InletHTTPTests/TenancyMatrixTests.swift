import Foundation
import HTTPTypes
import Inlet
import InletTestSupport
import Postgres
import Synchronization
import Testing

@testable import InletHTTP

/// Every operation of the served OpenAPI document × every kind of credential, generated from the document, so an
/// operation added to it is covered without touching this file (and the test fails when it cannot fill one of
/// the new operation's path parameters or identifier fields).
///
/// Each operation is called against fresh resources of project A with: another project's key (B), no key, a
/// malformed key, a token of the wrong scheme, the admin key, and A's own key. Calls without a valid credential
/// must answer 401; B's calls that name A's resources (a path id, `project_id`) must answer 404 exactly as for a
/// resource that does not exist; B's other calls must not mention any of A's ids; and none of these calls may
/// change a row of A or B in any table, create an admin key, or create a project (compared as the rows' text, table
/// by table, before and after).
@Suite struct TenancyMatrixTests {
    /// The credentials of the matrix.
    enum Credential: String, CaseIterable, Sendable {
        case other = "other project's key"
        case none = "no key"
        case malformed = "malformed key"
        case wrongScheme = "wrong scheme"
        case admin = "admin key"
        case own = "own key"

        /// Credentials that must not reach project A's data.
        var isForeign: Bool { self != .admin && self != .own }
    }

    /// Resources of project A that one operation acts on; created fresh for each call that may change them.
    struct Resources: Sendable {
        let project: String
        let source: String
        let sourceName: String
        let job: String
        /// A job nothing subscribes to yet, for operations that take a job to subscribe.
        let spareJob: String
        let subscription: String
        let event: String
        let run: String
        let key: String

        /// Path parameters by name, then by the collection segment in front of `{id}`.
        func value(parameter: String, after segment: String) -> String? {
            let byName = ["subscription_id": subscription, "key_id": key, "source_id": source, "project_id": project]
            let bySegment = [
                "event-sources": source, "jobs": job, "events": event, "runs": run, "projects": project,
                "subscriptions": subscription, "api-keys": key, "ingest": source,
            ]
            return byName[parameter] ?? (parameter == "id" ? bySegment[segment] : nil)
        }

        var ids: [String] { [project, source, job, spareJob, subscription, event, run, key] }
    }

    static let counter = NameCounter()

    static func resources(_ project: TestProject, admin: APITestClient, pool: PostgresPool) async throws -> Resources {
        let api = project.api
        let sourceName = "matrix-\(counter.next())"
        let source = try await api.post("/v1/event-sources", ["name": .string(sourceName)])
        try #require(source.status == .created, "\(source.text)")
        let job = try await api.post("/v1/jobs", ["name": .string("job-\(counter.next())"), "kind": "noop"])
        try #require(job.status == .created, "\(job.text)")
        let spareJob = try await api.post("/v1/jobs", ["name": .string("spare-\(counter.next())"), "kind": "noop"])
        try #require(spareJob.status == .created, "\(spareJob.text)")
        let subscription = try await api.post(
            "/v1/event-sources/\(source.idString)/subscribe",
            ["target_type": "job", "target_id": .string(job.idString)])
        try #require(subscription.status == .created, "\(subscription.text)")
        let event = try await api.post("/v1/events/dispatch", ["source": .string(sourceName), "payload": ["n": 1]])
        try #require(event.status == .accepted, "\(event.text)")
        let eventID = try #require(event["event_id"]?.stringValue)
        let runs = try await api.get("/v1/runs?event_id=\(eventID)")
        let run = try #require(
            runs.body?.arrayValue?.first { $0["event_id"]?.stringValue == eventID }?["id"]?.stringValue,
            "no run for the dispatched event: \(runs.text)")
        // A second event whose run died, for the operations that recover dead runs (no worker runs here).
        let failed = try await api.post("/v1/events/dispatch", ["source": .string(sourceName), "payload": ["n": 2]])
        try #require(failed.status == .accepted, "\(failed.text)")
        try await pool.query(
            """
            UPDATE job_runs SET status = 'dead', dead_reason = 'attempts_exhausted', finished_at = now()
            WHERE project_id = $1 AND event_id = $2
            """,
            [
                try #require(UUID(uuidString: project.id)),
                try #require(failed["event_id"]?.stringValue.flatMap(UUID.init(uuidString:))),
            ])
        // Keys are created by the admin: whether a project key may manage keys is the matrix's to find out.
        let key = try await admin.post("/v1/projects/\(project.id)/api-keys", ["name": "spare"])
        try #require(key.status == .created, "\(key.text)")
        let keyID = key.idString
        return Resources(
            project: project.id, source: source.idString, sourceName: sourceName, job: job.idString,
            spareJob: spareJob.idString,
            subscription: subscription.idString, event: eventID, run: run, key: keyID)
    }

    /// One concrete request for an operation: the URI with its path parameters filled, and a body.
    struct Call: Sendable {
        let method: HTTPRequest.Method
        let uri: String
        let body: JSONValue?
        /// Whether the request names project A (a path id or `project_id`), so a foreign key must get 404.
        let namesProject: Bool

        /// The `name` the body sends, unique to this call: what a project created by it would be called.
        var names: [String] { body?["name"]?.stringValue.map { [$0] } ?? [] }
    }

    /// Builds the request for `operation` against `resources`, or reports why it cannot to `gap` (by default an issue
    /// that fails the test).
    static func call(
        _ operation: DocumentedAPI.Operation, _ documented: DocumentedAPI, _ resources: Resources,
        gap: (String) -> Void = { Issue.record(Comment(rawValue: $0)) }
    ) -> Call? {
        let object = documented.operationObject(operation)
        let segments = operation.path.split(separator: "/").map(String.init)
        var path: [String] = []
        var namesProject = false
        for (index, segment) in segments.enumerated() {
            guard segment.hasPrefix("{"), segment.hasSuffix("}") else {
                path.append(segment)
                continue
            }
            let name = String(segment.dropFirst().dropLast())
            let previous = index > 0 ? segments[index - 1] : ""
            guard let value = resources.value(parameter: name, after: previous) else {
                gap("\(operation): no resource to fill the path parameter {\(name)}; add it to the matrix")
                return nil
            }
            path.append(value)
            namesProject = true
        }
        var uri = "/" + path.joined(separator: "/")
        let parameters = (object?["parameters"]?.arrayValue ?? []).map { documented.resolve($0) }
        if parameters.contains(where: { $0["name"] == "project_id" && $0["in"] == "query" }) {
            uri += "?project_id=\(resources.project)"
            namesProject = true
        }
        var body: JSONValue?
        if let requestBody = object?["requestBody"].map({ documented.resolve($0) }) {
            let schema = requestBody["content"]?["application/json"]?["schema"].map { documented.resolve($0) }
            if let example = schema?["examples"]?.arrayValue?.first {
                guard let filled = fill(example, schema: schema ?? [:], documented, resources, operation, gap: gap)
                else {
                    return nil
                }
                body = filled
                if filled["project_id"] != nil { namesProject = true }
            } else if requestBody["required"] == true, operation.path.hasPrefix("/v1/"), !isOpen(object) {
                gap("\(operation): a required request body without an example to start from")
                return nil
            } else {
                body = [:]
            }
        }
        guard let method = HTTPRequest.Method(operation.method.uppercased()) else {
            gap("\(operation): not an HTTP method")
            return nil
        }
        return Call(method: method, uri: uri, body: body, namesProject: namesProject)
    }

    /// The documented example with identifiers pointing at A's resources and names made unique.
    static func fill(
        _ example: JSONValue, schema: JSONValue, _ documented: DocumentedAPI, _ resources: Resources,
        _ operation: DocumentedAPI.Operation, gap: (String) -> Void
    ) -> JSONValue? {
        guard var object = example.objectValue else { return example }
        let properties = schema["properties"]?.objectValue ?? JSONObject()
        for (name, property) in properties {
            let resolved = documented.resolve(property)
            guard resolved["format"] == "uuid" || object[name]?.stringValue.map(isUUID) == true else { continue }
            let value: String? =
                switch name {
                case "project_id": resources.project
                case "target_id": resources.spareJob
                case "source_id": resources.source
                case "event_id": resources.event
                case "job_id": resources.job
                case "subscription_id": resources.subscription
                case "after": resources.event
                default: nil
                }
            guard let value else {
                gap("\(operation): no resource for the identifier field \(name); add it to the matrix")
                return nil
            }
            object[name] = .string(value)
        }
        if properties["project_id"] != nil { object["project_id"] = .string(resources.project) }
        if object["source"] != nil { object["source"] = .string(resources.sourceName) }
        if object["name"]?.stringValue != nil { object["name"] = .string("matrix-\(counter.next())") }
        if object["idempotency_key"] != nil { object["idempotency_key"] = .string("matrix-\(counter.next())") }
        if let events = object["events"]?.arrayValue {
            // A batch: each event names A's source, with keys of its own.
            object["events"] = .array(
                events.map { event in
                    guard var item = event.objectValue else { return event }
                    if item["source"] != nil { item["source"] = .string(resources.sourceName) }
                    if item["idempotency_key"] != nil {
                        item["idempotency_key"] = .string("matrix-\(counter.next())")
                    }
                    return .object(item)
                })
        }
        return .object(object)
    }

    static func isUUID(_ text: String) -> Bool { UUID(uuidString: text) != nil }
    static func isOpen(_ operation: JSONValue?) -> Bool { operation?["security"] == [] }

    /// The rows a foreign call could have written, table by table, as text (`last_used_at` aside: using a key
    /// touches it): every row of projects A and B, the admin keys (which belong to no project), and any project
    /// named with one of `names` (the unique names the call sends, so a project it created) with all its rows.
    ///
    /// Rows of other projects are left out: other suites write to them while the matrix runs.
    static func snapshot(
        _ pool: PostgresPool, projects: [String], names: [String] = []
    ) async throws -> [String: String] {
        let tables = try await pool.query(
            """
            SELECT table_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND column_name = 'project_id' ORDER BY table_name
            """
        ).map { try $0.decode(String.self, at: 0) }
        #expect(tables.count >= 7, "tenant tables: \(tables)")
        var snapshot: [String: String] = [:]
        // The byte quota's bucket is charged for every request a project's own key sends, refused or not (by
        // design: it bounds the work a project causes); that it is never charged to another project is checked by
        // `FairShareAPITests.requestBytesAboveTheByteQuotaAnswer429AndStoreNothing`.
        for table in tables + ["projects"] where table != "project_byte_budget" {
            let column = table == "projects" ? "id" : "project_id"
            let adminKeys = table == "api_keys" ? "OR project_id IS NULL" : ""
            let rows = try await pool.query(
                """
                SELECT count(*)::bigint, coalesce(string_agg((to_jsonb(t) - 'last_used_at')::text, E'\\n'
                    ORDER BY (to_jsonb(t) - 'last_used_at')::text), '')
                FROM \(table) t
                WHERE \(column) = ANY ($1::uuid[]) \(adminKeys)
                   OR \(column) IN (SELECT id FROM projects WHERE name = ANY ($2::text[]))
                """, ["{" + projects.joined(separator: ",") + "}", names])
            snapshot[table] =
                "\(try rows[0].decode(Int64.self, at: 0)) rows\n" + (try rows[0].decode(String.self, at: 1))
        }
        return snapshot
    }

    @Test func everyDocumentedOperationTimesEveryCredential() async throws {
        try await TestApp.run { admin in
            let documented = try await OpenAPITests.servedDocument(admin)
            let victim = try await TestApp.project(admin, name: "matrix-victim")
            let other = try await TestApp.project(admin, name: "matrix-other")
            let pool = try TestDatabase.makePool(.init(maxConnections: 1))
            try await pool.using { pool in try await Self.matrix(documented, admin, victim, other, pool) }
        }
    }

    static func matrix(
        _ documented: DocumentedAPI, _ admin: APITestClient, _ victim: TestProject, _ other: TestProject,
        _ pool: PostgresPool
    ) async throws {
        let operations = documented.operations.sorted { $0.description < $1.description }
        #expect(operations.count > 30)
        var table: [String] = []
        var writes = 0
        for operation in operations {
            let object = documented.operationObject(operation)
            let open = Self.isOpen(object)
            var statuses: [Credential: Int] = [:]
            // Foreign credentials first, on one set of resources, with a snapshot around them.
            let resources = try await Self.resources(victim, admin: admin, pool: pool)
            guard let call = Self.call(operation, documented, resources) else { continue }
            let scope = [victim.id, other.id]
            let before = try await Self.snapshot(pool, projects: scope, names: call.names)
            for credential in Credential.allCases where credential.isForeign {
                let response = try await Self.send(call, credential, admin: admin, victim: victim, other: other)
                statuses[credential] = Int(response.status.code)
                Self.expectDocumented(documented, call, response, credential)
                #expect(response.status.code < 500, "\(operation) with \(credential.rawValue): \(response.text)")
                if open { continue }
                switch credential {
                case .other:
                    if call.namesProject {
                        #expect(
                            response.status == .notFound && response.errorCode == "not_found",
                            "\(operation) with B's key: \(response.status) \(response.text.prefix(300))")
                    } else {
                        #expect(
                            response.status != .unauthorized && response.status != .notFound,
                            "\(operation) with B's key: \(response.status)")
                    }
                    for id in resources.ids where response.text.contains(id) && !call.uri.contains(id) {
                        Issue.record("\(operation) with B's key leaks \(id): \(response.text.prefix(300))")
                    }
                default:
                    #expect(
                        response.status == .unauthorized && response.errorCode == "unauthorized",
                        "\(operation) with \(credential.rawValue): \(response.status) \(response.text.prefix(200))")
                }
            }
            let after = try await Self.snapshot(pool, projects: scope, names: call.names)
            for (name, rows) in before where after[name] != rows {
                Issue.record("\(operation): foreign calls changed \(name): \(rows) → \(after[name] ?? "-")")
            }
            // The admin and the owner each on fresh resources (the call may delete them).
            for credential in [Credential.admin, .own] {
                let fresh = try await Self.resources(victim, admin: admin, pool: pool)
                guard let call = Self.call(operation, documented, fresh) else { continue }
                let before = try await Self.snapshot(pool, projects: scope, names: call.names)
                let response = try await Self.send(call, credential, admin: admin, victim: victim, other: other)
                statuses[credential] = Int(response.status.code)
                Self.expectDocumented(documented, call, response, credential)
                if object?["x-inlet-read-only"] == true {
                    // A POST that only reads: a successful call changes nothing either.
                    let after = try await Self.snapshot(pool, projects: scope, names: call.names)
                    #expect(after == before, "\(operation) with \(credential.rawValue) changed rows")
                } else if call.method != .get, call.namesProject, (200..<300).contains(response.status.code), !open {
                    // The snapshot sees what a successful write did, so its silence above means something.
                    writes += 1
                    if try await Self.snapshot(pool, projects: scope, names: call.names) == before {
                        Issue.record("\(operation) with \(credential.rawValue): a 2xx write the snapshot did not see")
                    }
                }
                #expect(
                    response.status.code < 500 && response.status != .notFound
                        && (open || response.status != .unauthorized),
                    "\(operation) with \(credential.rawValue): \(response.status) \(response.text.prefix(300))")
            }
            if open {
                // Routes without bearer authentication ignore the Authorization header entirely.
                let foreign = Set(Credential.allCases.filter(\.isForeign).compactMap { statuses[$0] })
                #expect(foreign.count == 1, "\(operation): credentials changed an open route's answer \(statuses)")
            }
            table.append(
                "\(operation): "
                    + Credential.allCases.map { "\($0.rawValue) \(statuses[$0].map(String.init) ?? "-")" }
                    .joined(separator: ", "))
        }
        print("tenancy matrix (\(table.count) operations × \(Credential.allCases.count) credentials):")
        for line in table { print("  " + line) }
        #expect(table.count == operations.count, "some operations could not be called")
        #expect(writes >= 10, "only \(writes) successful writes exercised the snapshot")
    }

    /// An operation the matrix does not know how to fill fails the test instead of going untested.
    @Test func anOperationWithAnUnknownPathParameterFailsTheMatrix() {
        let document: JSONValue = [
            "paths": ["/v1/widgets/{widget_id}": ["get": ["operationId": "getWidget", "responses": [:]]]]
        ]
        let documented = DocumentedAPI(document)
        let resources = Resources(
            project: "p", source: "s", sourceName: "n", job: "j", spareJob: "o", subscription: "u", event: "e",
            run: "r", key: "k")
        // In the matrix a gap is an issue that fails the test; here it is collected to be checked.
        var gaps: [String] = []
        let unknown = Self.call(documented.operations[0], documented, resources) { gaps.append($0) }
        #expect(unknown == nil)
        #expect(gaps.count == 1 && gaps.first?.contains("{widget_id}") == true, "\(gaps)")
        let known = DocumentedAPI(["paths": ["/v1/jobs/{id}": ["get": ["responses": [:]]]]])
        let filled = Self.call(known.operations[0], known, resources) { gaps.append($0) }
        #expect(filled?.uri == "/v1/jobs/j")
        #expect(gaps.count == 1, "\(gaps)")
    }

    static func send(
        _ call: Call, _ credential: Credential, admin: APITestClient, victim: TestProject, other: TestProject
    ) async throws -> APIResponse {
        switch credential {
        case .other: return try await other.api.request(call.method, call.uri, json: call.body)
        case .none: return try await admin.withToken(nil).request(call.method, call.uri, json: call.body)
        case .malformed:
            return try await admin.withToken("inl_!!not-a-token!!").request(call.method, call.uri, json: call.body)
        case .wrongScheme:
            return try await admin.withToken(nil).request(
                call.method, call.uri, json: call.body, headers: [.authorization: "Basic \(TestApp.adminToken)"])
        case .admin: return try await admin.request(call.method, call.uri, json: call.body)
        case .own: return try await victim.api.request(call.method, call.uri, json: call.body)
        }
    }

    static func expectDocumented(
        _ documented: DocumentedAPI, _ call: Call, _ response: APIResponse, _ credential: Credential
    ) {
        do {
            for problem in try documented.problems(call.method, call.uri, response) {
                Issue.record(Comment(rawValue: "\(credential.rawValue): \(problem)"))
            }
        } catch {
            Issue.record(error)
        }
    }
}

/// Unique suffixes for names within one test process.
final class NameCounter: Sendable {
    private let value = Mutex(0)
    func next() -> Int {
        value.withLock {
            $0 += 1; return $0
        }
    }
}

extension DocumentedAPI {
    /// `value`, or what its `$ref` points at inside the document.
    func resolve(_ value: JSONValue) -> JSONValue {
        guard let reference = value["$ref"]?.stringValue, reference.hasPrefix("#") else { return value }
        return self.value(at: String(reference.dropFirst())).map(resolve) ?? value
    }
}
