import Foundation
import HTTPTypes
import Inlet
import Synchronization
import Testing

@testable import InletHTTP

/// The served OpenAPI document, used to check real responses against what it promises.
///
/// Response schemas are validated with Inlet's own draft 2020-12 validator: the document is passed as a resource
/// (with an `$id`), so `#/components/schemas/…` references resolve inside it. `format` only annotates in JSON
/// Schema, so the `uuid` and `date-time` formats are turned into patterns of Inlet's conventions (lower-case
/// UUIDs, UTC timestamps) to be checked too.
struct DocumentedAPI: Sendable {
    struct Operation: Hashable, Sendable, CustomStringConvertible {
        let method: String
        let path: String
        var description: String { "\(method.uppercased()) \(path)" }
    }

    static let documentURI = "https://inlet.invalid/openapi.json"
    static let uuidPattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
    static let timestampPattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{3})?Z$"

    let document: JSONValue
    private let resource: JSONValue

    init(_ document: JSONValue) {
        self.document = document
        self.resource = Self.assertingFormats(document).adding("$id", .string(Self.documentURI))
    }

    /// Every documented operation.
    var operations: [Operation] {
        var result: [Operation] = []
        for (path, item) in document["paths"]?.objectValue ?? JSONObject() {
            for (method, _) in item.objectValue ?? JSONObject() where method != "parameters" {
                result.append(Operation(method: method, path: path))
            }
        }
        return result
    }

    func operationObject(_ operation: Operation) -> JSONValue? { document["paths"]?[operation.path]?[operation.method] }

    /// The documented operation a concrete request URI belongs to; literal segments win over `{captures}`.
    func operation(_ method: HTTPRequest.Method, _ uri: String) -> Operation? {
        let path = uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? uri
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let candidates = operations.filter { operation in
            guard operation.method == method.rawValue.lowercased() else { return false }
            let template = operation.path.split(separator: "/", omittingEmptySubsequences: false)
            return template.count == segments.count
                && zip(template, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
        return candidates.min { $0.path.count(where: { $0 == "{" }) < $1.path.count(where: { $0 == "{" }) }
    }

    /// The JSON pointer of the documented response of `operation` for `status`, following a `$ref` to
    /// `components/responses`.
    func responsePointer(_ operation: Operation, status: Int) -> String? {
        let pointer = JSONPointer.append(
            JSONPointer.append(
                JSONPointer.append(JSONPointer.append("/paths", operation.path), operation.method), "responses"),
            String(status))
        guard let response = value(at: pointer) else { return nil }
        if let reference = response["$ref"]?.stringValue, reference.hasPrefix("#") {
            return String(reference.dropFirst())
        }
        return pointer
    }

    /// The value at a JSON pointer of the document.
    func value(at pointer: String) -> JSONValue? {
        var value = document
        for token in pointer.split(separator: "/").map({
            String($0).replacing("~1", with: "/").replacing("~0", with: "~")
        }) {
            if let array = value.arrayValue {
                guard let index = Int(token), array.indices.contains(index) else { return nil }
                value = array[index]
            } else {
                guard let member = value[token] else { return nil }
                value = member
            }
        }
        return value
    }

    /// Everything wrong with `response` as an answer to `method uri`: an undocumented status, a missing
    /// `X-Request-Id`, a body that breaks the documented schema. Empty when it conforms.
    func problems(_ method: HTTPRequest.Method, _ uri: String, _ response: APIResponse) throws -> [String] {
        guard let operation = operation(method, uri) else { return ["\(method) \(uri) is not documented"] }
        guard let pointer = responsePointer(operation, status: Int(response.status.code)) else {
            return ["\(operation) answered \(response.status.code), which is not documented: \(response.text)"]
        }
        var problems: [String] = []
        if response.headers[HTTPField.Name("X-Request-Id")!] == nil { problems.append("\(operation): no X-Request-Id") }
        guard let content = value(at: pointer)?["content"] else {
            if !response.text.isEmpty { problems.append("\(operation) \(response.status.code): undocumented body") }
            return problems
        }
        if content["text/plain"] != nil {
            let contentType = response.headers[.contentType] ?? ""
            if !contentType.hasPrefix("text/plain") {
                problems.append("\(operation): \(contentType) is not text/plain")
            }
            return problems
        }
        guard content["application/json"] != nil, response.headers[.contentType] == "application/json",
            let body = response.body
        else {
            return problems + ["\(operation) \(response.status.code): not the documented JSON: \(response.text)"]
        }
        let schemaPointer = JSONPointer.append(JSONPointer.append(pointer + "/content", "application/json"), "schema")
        let schema = try JSONSchema(["$ref": .string(Self.documentURI + "#" + schemaPointer)], resources: [resource])
        for violation in schema.validate(body) {
            problems.append("\(operation) \(response.status.code): \(violation) in \(response.text)")
        }
        return problems
    }

    /// The document with `format: uuid` and `format: date-time` also asserted, as patterns.
    static func assertingFormats(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let items):
            return .array(items.map(assertingFormats))
        case .object(let object):
            var result = JSONObject()
            for (key, member) in object { result[key] = assertingFormats(member) }
            switch object["format"]?.stringValue {
            case "uuid": result["pattern"] = .string(uuidPattern)
            case "date-time": result["pattern"] = .string(timestampPattern)
            default: break
            }
            return .object(result)
        default:
            return value
        }
    }

    /// Every `$ref` in the document, with the pointer where it stands.
    static func references(in value: JSONValue, at pointer: String = "") -> [(at: String, reference: String)] {
        switch value {
        case .array(let items):
            return items.enumerated().flatMap { references(in: $1, at: JSONPointer.append(pointer, $0)) }
        case .object(let object):
            var found: [(String, String)] = []
            if let reference = object["$ref"]?.stringValue { found.append((pointer, reference)) }
            for (key, member) in object { found += references(in: member, at: JSONPointer.append(pointer, key)) }
            return found
        default:
            return []
        }
    }
}

/// The documented operations that requests reached.
final class Coverage: Sendable {
    private let reached = Mutex<Set<DocumentedAPI.Operation>>([])

    func record(_ operation: DocumentedAPI.Operation) { reached.withLock { _ = $0.insert(operation) } }
    var operations: Set<DocumentedAPI.Operation> { reached.withLock { $0 } }
}

/// An API client that checks every response against the document and records which operations it reached.
struct ConformanceClient: Sendable {
    let api: APITestClient
    let documented: DocumentedAPI
    let coverage: Coverage

    /// The same checks with another token.
    func withToken(_ token: String?) -> ConformanceClient {
        ConformanceClient(api: api.withToken(token), documented: documented, coverage: coverage)
    }

    /// Sends the request, expects `status` and a response that conforms to the document.
    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ uri: String, json: JSONValue? = nil, rawBody: String? = nil,
        headers: HTTPFields = [:], expect status: HTTPResponse.Status,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> APIResponse {
        let response = try await api.request(method, uri, json: json, rawBody: rawBody, headers: headers)
        #expect(response.status == status, "\(method) \(uri): \(response.text)", sourceLocation: sourceLocation)
        for problem in try documented.problems(method, uri, response) {
            Issue.record(Comment(rawValue: problem), sourceLocation: sourceLocation)
        }
        if let operation = documented.operation(method, uri) { coverage.record(operation) }
        return response
    }
}
