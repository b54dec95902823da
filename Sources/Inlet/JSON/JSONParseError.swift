/// Why a JSON text was refused. The message is safe to show to the client that sent the text.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case syntax = "invalid_json"
        case invalidUTF8 = "invalid_utf8"
        case depthExceeded = "json_too_deep"
        case duplicateKey = "duplicate_key"
        case tooLarge = "json_too_large"
    }

    public let code: Code
    public let message: String
    /// Byte offset into the input where the problem was found.
    public let offset: Int

    public init(code: Code, message: String, offset: Int) {
        self.code = code
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) (at byte \(offset))" }
}
