import Foundation
import Hummingbird
import Inlet
import NIOCore

/// Reads and parses a JSON request body: 415 for another content type, 413 over the limit, 400 when malformed.
enum JSONRequestBody {
    static func read(_ request: Request, limit: Int) async throws -> (value: JSONValue, bytes: ByteBuffer) {
        let buffer = try await collect(request, limit: limit)
        do {
            let value = try buffer.withUnsafeReadableBytes { bytes in
                try JSONValue(parsing: bytes, limits: limits(limit))
            }
            return (value, buffer)
        } catch let error as JSONParseError {
            throw APIError(.badRequest, code: error.code.rawValue, "malformed JSON: \(error.description)")
        }
    }

    /// Reads a body that must be a JSON object, except its member `deferred`, which is checked but not parsed:
    /// its text (and its tree, in the rare case the check needed one) comes back beside the object.
    static func object(_ request: Request, limit: Int, deferring deferred: String) async throws -> (
        object: JSONObject, deferred: EventPayload?
    ) {
        let buffer = try await collect(request, limit: limit)
        do {
            return try buffer.withUnsafeReadableBytes { bytes in
                let (value, member) = try JSONValue.parsingObject(bytes, deferring: deferred, limits: limits(limit))
                guard let object = value.objectValue else {
                    throw APIError(
                        .unprocessableContent, code: "validation_failed", "the request body must be a JSON object")
                }
                let payload = member.map {
                    EventPayload(validatedText: Array(bytes[$0.range]), parsed: $0.value)
                }
                return (object, payload)
            }
        } catch let error as JSONParseError {
            throw APIError(.badRequest, code: error.code.rawValue, "malformed JSON: \(error.description)")
        }
    }

    /// Reads a batch body, an object whose member `events` is an array of objects, deferring each event's
    /// `payload` as ``object(_:limit:deferring:)`` defers a single dispatch's: checked, not parsed. In the events,
    /// a payload's place holds the index of its entry in `payloads`.
    static func batch(_ request: Request, limit: Int) async throws -> (object: JSONObject, payloads: [EventPayload]) {
        let buffer = try await collect(request, limit: limit)
        do {
            return try buffer.withUnsafeReadableBytes { bytes in
                let (value, members) = try JSONValue.parsingDocument(
                    bytes, deferring: "payload", atDepth: 3, limits: limits(limit))
                guard let object = value.objectValue else {
                    throw APIError(
                        .unprocessableContent, code: "validation_failed", "the request body must be a JSON object")
                }
                let payloads = members.map { EventPayload(validatedText: Array(bytes[$0.range]), parsed: $0.value) }
                return (object, payloads)
            }
        } catch let error as JSONParseError {
            throw APIError(.badRequest, code: error.code.rawValue, "malformed JSON: \(error.description)")
        }
    }

    /// The parse limits of request bodies.
    static func limits(_ limit: Int) -> JSONParseLimits { JSONParseLimits(maxDepth: 64, maxBytes: limit) }

    /// The body's bytes: 415 for another content type, 413 over the limit, 400 when empty.
    static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        if let contentType = request.headers[.contentType] {
            let mediaType = contentType.split(separator: ";").first.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            }
            guard mediaType == "application/json" || mediaType?.hasSuffix("+json") == true else {
                throw APIError(
                    .unsupportedMediaType, code: "unsupported_media_type", "the request body must be application/json")
            }
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError(
                .contentTooLarge, code: "payload_too_large", "the request body is larger than \(limit) bytes")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(
                .contentTooLarge, code: "payload_too_large", "the request body is larger than \(limit) bytes")
        }
        guard buffer.readableBytes > 0 else {
            throw APIError.badRequest("the request body is empty; send a JSON object")
        }
        return buffer
    }

    /// Reads a body that must be a JSON object.
    static func object(_ request: Request, limit: Int) async throws -> JSONObject {
        let (value, _) = try await read(request, limit: limit)
        guard let object = value.objectValue else {
            throw APIError(.unprocessableContent, code: "validation_failed", "the request body must be a JSON object")
        }
        return object
    }
}
