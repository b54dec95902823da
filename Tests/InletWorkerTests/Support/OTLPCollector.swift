import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A real OTLP/HTTP trace receiver on 127.0.0.1 (a free port), for the JSON encoding
/// (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`): it keeps every span it is sent, with its process's `service.name`.
final class OTLPCollector: Sendable {
    struct Span: Sendable, CustomStringConvertible {
        let service: String
        let traceID: String
        let spanID: String
        let parentSpanID: String?
        let name: String
        /// OTLP's span kind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer.
        let kind: Int
        /// Every attribute's value as text.
        let attributes: [String: String]

        var description: String {
            "\(service) \(name) kind=\(kind) span=\(spanID) parent=\(parentSpanID ?? "-") \(attributes)"
        }
    }

    private let received = Mutex<[Span]>([])
    var spans: [Span] { received.withLock { $0 } }

    /// Serves while `body` runs, giving it the endpoint for `OTEL_EXPORTER_OTLP_ENDPOINT`.
    func serve<T: Sendable>(_ body: (_ endpoint: String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("/v1/traces") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 16 << 20)
            let spans = try Self.spans(in: Data(bytes.readableBytesView))
            self.received.withLock { $0 += spans }
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: "{}")))
        }
        return try await withLocalServer(router, label: "test-otlp-collector") { port in
            try await body("http://127.0.0.1:\(port)")
        }
    }

    /// The spans of one `ExportTraceServiceRequest` in OTLP's JSON encoding.
    static func spans(in json: Data) throws -> [Span] {
        guard let root = try JSONSerialization.jsonObject(with: json) as? [String: Any] else { return [] }
        var spans: [Span] = []
        for resourceSpans in root["resourceSpans"] as? [[String: Any]] ?? [] {
            let resource = attributes((resourceSpans["resource"] as? [String: Any])?["attributes"])
            for scopeSpans in resourceSpans["scopeSpans"] as? [[String: Any]] ?? [] {
                for span in scopeSpans["spans"] as? [[String: Any]] ?? [] {
                    let parent = (span["parentSpanId"] as? String).map(hex).flatMap { $0.isEmpty ? nil : $0 }
                    spans.append(
                        Span(
                            service: resource["service.name"] ?? "", traceID: hex(span["traceId"] as? String ?? ""),
                            spanID: hex(span["spanId"] as? String ?? ""), parentSpanID: parent,
                            name: span["name"] as? String ?? "", kind: kind(span["kind"]),
                            attributes: attributes(span["attributes"])))
                }
            }
        }
        return spans
    }

    /// OTLP/JSON gives ids in hex; protobuf's own JSON mapping (which some exporters use) in base64.
    static func hex(_ id: String) -> String {
        let isHex = id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
        if isHex, id.count == 32 || id.count == 16 || id.isEmpty { return id }
        guard let bytes = Data(base64Encoded: id) else { return id }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func kind(_ value: Any?) -> Int {
        if let number = value as? Int { return number }
        switch value as? String {
        case "SPAN_KIND_INTERNAL": return 1
        case "SPAN_KIND_SERVER": return 2
        case "SPAN_KIND_CLIENT": return 3
        case "SPAN_KIND_PRODUCER": return 4
        case "SPAN_KIND_CONSUMER": return 5
        default: return 0
        }
    }

    static func attributes(_ value: Any?) -> [String: String] {
        var result: [String: String] = [:]
        for attribute in value as? [[String: Any]] ?? [] {
            guard let key = attribute["key"] as? String, let value = attribute["value"] as? [String: Any],
                let first = value.first
            else { continue }
            result[key] = "\(first.value)"
        }
        return result
    }
}
