import Foundation

/// The extra request headers of an `http` job (`config.headers`).
///
/// They are secrets as often as not (`Authorization: Bearer …`), so they are handled like signing secrets:
/// sealed at rest with ``SecretBox`` (see ``sealingContext(jobID:)``), accepted by the API but never returned by
/// it (responses list their ``names`` only), and never printed: `description`, `debugDescription` and reflection
/// show the names and `<redacted>`.
public struct HTTPJobHeaders: Sendable, Equatable {
    /// The headers in the order given. Never log the values.
    public var fields: [(name: String, value: String)]

    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
    }

    public var isEmpty: Bool { fields.isEmpty }
    /// The header names, as given: all the API reveals.
    public var names: [String] { fields.map(\.name) }

    public static func == (lhs: HTTPJobHeaders, rhs: HTTPJobHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    /// The context a job's headers are sealed under: bound to the row and distinct from the signing secret's
    /// (`job:<id>`), so sealed bytes moved to another job or column fail to open.
    public static func sealingContext(jobID: UUID) -> String { "job-headers:" + jobID.lowercasedString }

    /// The plaintext that is sealed: a JSON object of names to values, in order.
    public var serialized: [UInt8] {
        var object = JSONObject()
        for field in fields { object[field.name] = .string(field.value) }
        return JSONValue.object(object).serializedBytes()
    }

    /// Reads bytes made by ``serialized``; `nil` when they are not a JSON object of strings.
    public init?(serialized bytes: [UInt8]) {
        guard let object = (try? JSONValue(parsing: bytes))?.objectValue else { return nil }
        var fields: [(name: String, value: String)] = []
        for (name, value) in object {
            guard let text = value.stringValue else { return nil }
            fields.append((name, text))
        }
        self.fields = fields
    }
}

extension HTTPJobHeaders: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "[" + names.map { "\($0): <redacted>" }.joined(separator: ", ") + "]" }
    public var debugDescription: String { "HTTPJobHeaders(\(description))" }
    public var customMirror: Mirror { Mirror(self, children: ["names": names], displayStyle: .struct) }
}

extension SecretBox {
    /// Encrypts a job's headers for storage (`jobs.sealed_headers`).
    public func seal(_ headers: HTTPJobHeaders, jobID: UUID) throws(SecretBoxError) -> [UInt8] {
        try seal(headers.serialized, context: HTTPJobHeaders.sealingContext(jobID: jobID))
    }

    /// Decrypts headers sealed by ``seal(_:jobID:)`` for the same job.
    public func openHTTPJobHeaders(_ sealed: some Collection<UInt8>, jobID: UUID) throws(SecretBoxError)
        -> HTTPJobHeaders
    {
        let plaintext = try open(sealed, context: HTTPJobHeaders.sealingContext(jobID: jobID))
        guard let headers = HTTPJobHeaders(serialized: plaintext) else {
            throw SecretBoxError(code: .malformed, message: "the sealed headers are not a JSON object of strings")
        }
        return headers
    }
}
