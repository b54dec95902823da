import Foundation
import HTTPTypes
import Inlet
import InletTestSupport
import Testing

/// Malformed and hostile requests get their documented 4xx and change nothing.
@Suite struct HostileInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let method: HTTPRequest.Method
        let path: String
        let body: [UInt8]
        let contentType: String
        let status: Int
        var testDescription: String { name }

        init(
            _ name: String, _ path: String, _ body: String, method: HTTPRequest.Method = .post, status: Int,
            contentType: String = "application/json"
        ) {
            self.init(name, path, bytes: Array(body.utf8), method: method, status: status, contentType: contentType)
        }

        init(
            _ name: String, _ path: String, bytes: [UInt8], method: HTTPRequest.Method = .post, status: Int,
            contentType: String = "application/json"
        ) {
            self.name = name
            self.method = method
            self.path = path
            self.body = bytes
            self.contentType = contentType
            self.status = status
        }
    }

    static var cases: [Case] {
        let tenMiB = String(repeating: "a", count: 10 << 20)
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let hugeName = String(repeating: "n", count: 100_000)
        let longKey = String(repeating: "k", count: 300)
        var cases: [Case] = []
        cases.append(Case("malformed JSON", "/v1/event-sources", #"{"name": "a",}"#, status: 400))
        cases.append(Case("truncated JSON", "/v1/events/dispatch", #"{"source": "s", "payload": {"#, status: 400))
        cases.append(
            Case(
                "invalid UTF-8", "/v1/event-sources",
                bytes: Array(#"{"name": ""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8), status: 400))
        cases.append(
            Case(
                "10 MiB body", "/v1/events/dispatch", #"{"source": "s", "payload": {"x": ""# + tenMiB + #""}}"#,
                status: 413))
        cases.append(
            Case(
                "nesting 10,000 deep", "/v1/events/dispatch", #"{"source": "s", "payload": "# + deep + "}", status: 400)
        )
        cases.append(
            Case(
                "1e999 as max_attempts", "/v1/jobs", #"{"name": "j", "kind": "noop", "max_attempts": 1e999}"#,
                status: 422))
        cases.append(
            Case("-0 as max_attempts", "/v1/jobs", #"{"name": "j", "kind": "noop", "max_attempts": -0}"#, status: 422))
        cases.append(
            Case(
                "fractional max_attempts", "/v1/jobs", #"{"name": "j", "kind": "noop", "max_attempts": 2.5}"#,
                status: 422))
        cases.append(Case("huge name", "/v1/event-sources", #"{"name": ""# + hugeName + #""}"#, status: 422))
        cases.append(Case("unknown field", "/v1/jobs", #"{"name": "j", "kind": "noop", "admin": true}"#, status: 422))
        cases.append(Case("wrong type", "/v1/event-sources", #"{"name": ["orders"]}"#, status: 422))
        cases.append(Case("null name", "/v1/event-sources", #"{"name": null}"#, status: 422))
        cases.append(
            Case("SQL-looking name", "/v1/event-sources", #"{"name": "x'; DROP TABLE events; --"}"#, status: 422))
        cases.append(
            Case(
                "script-looking description", "/v1/event-sources",
                #"{"name": "<script>", "description": "<script>alert(1)</script>"}"#, status: 422))
        cases.append(
            Case(
                "SQL-looking source reference", "/v1/events/dispatch", #"{"source": "' OR '1'='1", "payload": {}}"#,
                status: 404))
        cases.append(Case("duplicate keys", "/v1/jobs", #"{"name": "a", "name": "b", "kind": "noop"}"#, status: 400))
        cases.append(Case("top-level array", "/v1/jobs", "[]", status: 422))
        cases.append(Case("empty body", "/v1/jobs", "", status: 400))
        cases.append(
            Case(
                "form body", "/v1/jobs", "name=a&kind=noop", status: 415,
                contentType: "application/x-www-form-urlencoded"))
        cases.append(
            Case(
                "NUL in payload", "/v1/events/dispatch", #"{"source": "hostile", "payload": {"a": "\u0000"}}"#,
                status: 422))
        cases.append(
            Case(
                "invalid filter", "/v1/event-sources/00000000-0000-0000-0000-000000000000/subscribe",
                #"{"target_type": "job", "target_id": "x"}"#, status: 422))
        cases.append(Case("path injection", "/v1/jobs/..%2F..%2Fprojects", "", method: .get, status: 404))
        cases.append(Case("query injection", "/v1/jobs?limit=1;DROP%20TABLE%20jobs", "", method: .get, status: 400))
        cases.append(Case("cursor injection", "/v1/jobs?after='%20OR%201=1", "", method: .get, status: 400))
        cases.append(Case("lone surrogate escape", "/v1/event-sources", #"{"name": "\ud800"}"#, status: 400))
        cases.append(
            Case(
                "oversized idempotency key", "/v1/events/dispatch",
                #"{"source": "hostile", "idempotency_key": ""# + longKey + #""}"#, status: 422))
        return cases
    }

    @Test func everyHostileRequestGetsItsDocumented4xxAndChangesNothing() async throws {
        try await TestApp.run { admin in
            let api = try await TestApp.project(admin).api
            #expect(try await api.post("/v1/event-sources", ["name": "hostile"]).status == .created)
            // Other suites write to the shared database concurrently; count only this project's rows.
            func counts() async throws -> [Int] {
                [
                    try await api.get("/v1/event-sources").body?.arrayValue?.count ?? -1,
                    try await api.get("/v1/jobs").body?.arrayValue?.count ?? -1,
                    try await api.get("/v1/events").body?.arrayValue?.count ?? -1,
                    try await api.get("/v1/runs").body?.arrayValue?.count ?? -1,
                ]
            }
            let before = try await counts()
            for hostile in Self.cases {
                var headers = HTTPFields()
                headers[.contentType] = hostile.contentType
                let response = try await api.request(
                    hostile.method, hostile.path, rawBytes: hostile.body.isEmpty ? nil : hostile.body, headers: headers)
                #expect(
                    response.status.code == hostile.status,
                    "\(hostile.name): \(response.status) \(response.text.prefix(300))")
                #expect(response.status.code < 500, "\(hostile.name)")
                if response.status.code != 404 || hostile.method != .get {
                    #expect(
                        response.body?["error"]?["message"]?.stringValue?.isEmpty == false,
                        "\(hostile.name) has no message")
                }
            }
            #expect(try await counts() == before)
        }
    }
}
