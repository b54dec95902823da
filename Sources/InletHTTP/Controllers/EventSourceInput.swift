import Inlet
import InletStore

/// Validation shared by the event-source create and update handlers.
enum EventSourceInput {
    static let nameRule = "must be 1–128 characters of A–Z, a–z, 0–9, '.', '_', ':' and '-'"

    static func validateSchema(_ schema: JSONValue) throws(ValidationError) {
        do {
            _ = try JSONSchema(schema)
        } catch {
            throw ValidationError(
                "the schema is not a valid JSON Schema (draft 2020-12)",
                issues: [ValidationIssue(path: "/schema" + error.pointer, message: error.message, keyword: "schema")])
        }
    }

    /// `delivery_delay_ms`: absent keeps, `null` clears, an integer from 0 to 30 days sets.
    static func deliveryDelay(_ reader: inout ObjectReader) -> Patch<Int64?> {
        guard let value = reader.object["delivery_delay_ms"] else { return .keep }
        if value.isNull {
            _ = reader.raw("delivery_delay_ms")
            return .set(nil)
        }
        let range = 0...Int(DeliveryTime.maximumDelayMilliseconds)
        guard let delay = reader.integer("delivery_delay_ms", range: range) else { return .keep }
        return .set(Int64(delay))
    }

    static func validateDescription(_ description: String?) throws(ValidationError) {
        if let description, description.utf8.count > 4096 {
            throw ValidationError(path: "/description", "must be at most 4096 bytes")
        }
    }

    /// Checks the settings (and a client-chosen secret) against the scheme's rules.
    static func validateSignature(_ settings: SignatureSettings, secret: SigningSecret?) throws(ValidationError) {
        if let header = settings.idempotencyHeader, !isHeaderName(header) {
            throw ValidationError(path: "/idempotency_header", "must be an HTTP header name of at most 128 characters")
        }
        guard let scheme = settings.scheme else {
            if secret != nil {
                throw ValidationError(path: "/signing_secret", "needs a signature_scheme or signature_header")
            }
            return
        }
        do {
            let configuration = try SignatureConfiguration(
                scheme: scheme, header: settings.header, algorithm: scheme == .none ? nil : settings.algorithm,
                encoding: scheme == .none ? nil : settings.encoding)
            if let secret { try configuration.validate(secret: secret) }
        } catch {
            throw ValidationError(path: "/" + error.field, error.message)
        }
    }

    static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 128
            && name.utf8.allSatisfy { byte in
                (0x21...0x7E).contains(byte) && !"\"(),/:;<=>?@[\\]{}".utf8.contains(byte)
            }
    }

    /// The signature fields of a request body, as given (absent fields are `.keep`).
    struct SignatureFields: Sendable {
        var scheme: Patch<SignatureScheme?> = .keep
        var header: Patch<String?> = .keep
        var algorithm: Patch<SignatureAlgorithm?> = .keep
        var encoding: Patch<SignatureEncoding?> = .keep
        var idempotencyHeader: Patch<String?> = .keep

        mutating func read(from reader: inout ObjectReader) {
            scheme = enumField(
                &reader, "signature_scheme", SignatureScheme.init(rawValue:), SignatureScheme.allCases.map(\.rawValue))
            header = reader.patchString("signature_header", nullable: true)
            algorithm = enumField(
                &reader, "signature_algorithm", SignatureAlgorithm.init(rawValue:),
                ["hmac-sha256", "hmac-sha512", "hmac-sha1"])
            encoding = enumField(&reader, "signature_encoding", SignatureEncoding.init(rawValue:), ["hex", "base64"])
            idempotencyHeader = reader.patchString("idempotency_header", nullable: true)
        }

        private func enumField<T>(
            _ reader: inout ObjectReader, _ key: String, _ make: (String) -> T?, _ allowed: [String]
        ) -> Patch<T?> {
            switch reader.patchString(key, nullable: true) {
            case .keep: return .keep
            case .set(nil): return .set(nil)
            case .set(let text?):
                guard let value = make(text) else {
                    reader.issue(key, "must be one of \(allowed.joined(separator: ", "))", keyword: "enum")
                    return .keep
                }
                return .set(value)
            }
        }

        /// Only what the request sets, for a new source.
        var explicit: (SignatureScheme?, String?, SignatureAlgorithm?, SignatureEncoding?, String?) {
            func value<T>(_ patch: Patch<T?>) -> T? { if case .set(let v) = patch { return v } else { return nil } }
            return (value(scheme), value(header), value(algorithm), value(encoding), value(idempotencyHeader))
        }

        /// The settings after this PATCH. Setting `signature_scheme` resets the header, algorithm and encoding
        /// that the same request does not give, so a change of scheme never inherits the old scheme's settings.
        func merged(into source: EventSource) throws(ValidationError) -> SignatureSettings {
            let resets = scheme.isSet
            func pick<T>(_ patch: Patch<T?>, _ stored: T?) -> T? {
                if case .set(let value) = patch { return value }
                return resets ? nil : stored
            }
            let finalScheme = pick(scheme, source.signatureScheme)
            if finalScheme == SignatureScheme.none {
                // `none` stores default algorithm and encoding; only what this request gives counts against it.
                func given<T>(_ patch: Patch<T?>) -> T? {
                    if case .set(let value) = patch { return value } else { return nil }
                }
                return try normalized(
                    (
                        finalScheme, given(header), given(algorithm), given(encoding),
                        pick(idempotencyHeader, source.idempotencyHeader)
                    ))
            }
            return try normalized(
                (
                    finalScheme, pick(header, source.signatureHeader),
                    pick(algorithm, source.signatureAlgorithm), pick(encoding, source.signatureEncoding),
                    pick(idempotencyHeader, source.idempotencyHeader)
                ))
        }

        /// Fills in what a scheme fixes (Stripe's header, …) and the defaults, validating the combination.
        func normalized(
            _ given: (SignatureScheme?, String?, SignatureAlgorithm?, SignatureEncoding?, String?)
        ) throws(ValidationError) -> SignatureSettings {
            let (givenScheme, givenHeader, givenAlgorithm, givenEncoding, idempotency) = given
            guard let scheme = givenScheme ?? SignatureScheme.inferred(signatureHeader: givenHeader) else {
                return SignatureSettings(
                    header: nil, algorithm: givenAlgorithm ?? .hmacSHA256, encoding: givenEncoding ?? .hex,
                    idempotencyHeader: idempotency)
            }
            do {
                let configuration = try SignatureConfiguration(
                    scheme: scheme, header: givenHeader, algorithm: givenAlgorithm, encoding: givenEncoding)
                return SignatureSettings(
                    scheme: scheme, header: configuration.header, algorithm: configuration.algorithm ?? .hmacSHA256,
                    encoding: configuration.encoding ?? .hex, idempotencyHeader: idempotency)
            } catch {
                throw ValidationError(path: "/" + error.field, error.message)
            }
        }
    }
}
