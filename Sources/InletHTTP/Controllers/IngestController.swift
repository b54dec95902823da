import Foundation
import Hummingbird
import Inlet
import InletStore
import NIOCore

/// `POST /v1/ingest/{source_id}`: inbound webhooks, authenticated by the source's signature scheme instead of
/// a bearer token. The raw body is verified, then follows the dispatch path.
struct IngestController {
    let services: Services
    let dispatcher: Dispatcher
    let metrics: IngestMetrics

    func addRoutes(to router: Router<InletRequestContext>) {
        router.post("v1/ingest/{source_id}", use: ingest)
    }

    static let unauthorized = APIError(.unauthorized, code: "unauthorized", "signature verification failed")

    func ingest(_ request: Request, context: InletRequestContext) async throws -> Response {
        guard let text = context.parameters.get("source_id"), let sourceID = UUID(uuidString: text) else {
            throw APIError.notFound("event source")
        }
        let limit = services.configuration.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError(
                .contentTooLarge, code: "payload_too_large", "the request body is larger than \(limit) bytes")
        }
        let target = try await EventSourceRepository.ingestSource(
            id: sourceID, pool: services.pool, secrets: services.secrets)
        let source = target.source
        guard let scheme = source.signatureScheme else {
            throw APIError(
                .forbidden, code: "ingest_not_configured",
                "this event source accepts no webhooks until signature_scheme is set (use \"none\" to opt out)")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(
                .contentTooLarge, code: "payload_too_large", "the request body is larger than \(limit) bytes")
        }
        let rawHeaders = request.headers.map { (name: $0.name.canonicalName.lowercased(), value: $0.value) }
        var headers: [String: String] = [:]
        for header in rawHeaders where headers[header.name] == nil { headers[header.name] = header.value }

        var idempotencyKey: String?
        if scheme != .none {
            let verdict: SignatureVerdict
            do {
                let configuration = try SignatureConfiguration(
                    scheme: scheme, header: source.signatureHeader, algorithm: source.signatureAlgorithm,
                    encoding: source.signatureEncoding)
                let verifier = try SignatureVerifier(configuration: configuration, secrets: target.secrets)
                verdict = body.withUnsafeReadableBytes { bytes in
                    verifier.verify(body: bytes, headers: headers, now: Int64(Date().timeIntervalSince1970))
                }
            } catch {
                context.logger.warning(
                    "ingest source has an unusable signature configuration", metadata: ["error": "\(error)"])
                metrics.recordRejection(projectID: source.projectID, reason: "configuration")
                throw Self.unauthorized
            }
            guard verdict.isAccepted else {
                metrics.recordRejection(projectID: source.projectID, reason: verdict.reason?.rawValue ?? "unknown")
                context.logger.info(
                    "ingest signature rejected",
                    metadata: [
                        "source_id": .string(sourceID.lowercasedString),
                        "reason": .string(verdict.reason?.rawValue ?? ""),
                    ])
                throw Self.unauthorized
            }
            idempotencyKey = verdict.idempotencyKey
        }
        // The byte quota is charged once the sender is known to be the tenant's (anyone can reach an ingest URL; an
        // outsider must not spend the project's quota), before the payload is parsed or evaluated.
        try await dispatcher.admitBytes(source.projectID, body.readableBytes)
        guard source.enabled else { throw APIError(.conflict, code: "conflict", "the event source is disabled") }
        if let header = source.idempotencyHeader?.lowercased(), let value = headers[header], !value.isEmpty {
            idempotencyKey = String(value.prefix(255))
        }
        let payload = try Self.payload(
            of: body, contentType: headers["content-type"], limit: limit,
            budget: WorkBudget(steps: services.configuration.workBudgetSteps))
        let result = try await dispatcher.dispatch(
            DispatchRequest(
                projectID: source.projectID, source: .id(source.id), payload: payload,
                idempotencyKey: idempotencyKey,
                headers: RecordedHeaders.select(from: rawHeaders, idempotencyHeader: source.idempotencyHeader),
                via: .ingest, verification: scheme.rawValue, requestID: context.requestID,
                isCancelled: services.cancellation(of: context.client)))
        return JSONResponse.make(
            .object(
                JSONObject([
                    ("event_id", .id(result.eventID)), ("dispatched", .int(Int64(result.dispatched))),
                    ("duplicate", .bool(result.duplicate)),
                ])), status: .accepted)
    }

    /// The verified body as a payload: a JSON document, or an `application/x-www-form-urlencoded` form as an
    /// object of its fields (decoding drawing on the work budget).
    static func payload(of body: ByteBuffer, contentType: String?, limit: Int, budget: WorkBudget) throws
        -> EventPayload
    {
        let mediaType = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        if mediaType == "application/x-www-form-urlencoded" {
            do {
                return EventPayload(try FormBody.decode(body.readableBytesView, budget: budget))
            } catch let error as FormBodyError {
                throw APIError(.badRequest, code: "malformed_form", "the webhook body is not a valid form: \(error)")
            }
        }
        do {
            // Checked, not parsed: stored as it came, parsed only for a schema to judge.
            return try body.withUnsafeReadableBytes { bytes in
                EventPayload(
                    validatedText: Array(bytes),
                    parsed: try JSONValue.validate(bytes, limits: JSONParseLimits(maxDepth: 64, maxBytes: limit)))
            }
        } catch let error as JSONParseError {
            throw APIError(
                .badRequest, code: error.code.rawValue, "the webhook body is not valid JSON: \(error.description)")
        }
    }
}
