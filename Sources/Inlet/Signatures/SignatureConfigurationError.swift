/// Why an event source's signature settings were refused. The message is safe to show to the API client
/// and never contains a secret; `field` is the API field at fault (`signature_header`, `signing_secret`, …).
public struct SignatureConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// A setting the scheme needs is absent.
        case missing = "missing_value"
        /// A setting contradicts what the scheme fixes, or is given to a scheme that takes none.
        case conflict = "conflicting_value"
        /// A setting is present but malformed.
        case invalid = "invalid_value"
    }

    public let code: Code
    public let field: String
    public let message: String

    public init(code: Code, field: String, message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
