/// Why a schema was refused at compile time: the API answers it with a 422 whose detail points into the schema.
public struct JSONSchemaError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// A keyword has a value of the wrong kind (`"type": "strnig"`, `"minLength": -1`).
        case invalidKeyword = "invalid_keyword"
        /// A `pattern` or `patternProperties` key is not a supported ECMA-262 regular expression.
        case invalidPattern = "invalid_pattern"
        /// A `$ref` or `$dynamicRef` names nothing in the schema (remote references are not fetched).
        case unresolvableReference = "unresolvable_reference"
        /// `$schema` names a dialect or a required vocabulary other than draft 2020-12's.
        case unsupportedDialect = "unsupported_dialect"
        /// The schema is deeper or larger than ``JSONSchema/Limits`` allow.
        case tooComplex = "schema_too_complex"
    }

    public let code: Code
    /// JSON pointer into the schema (`/properties/amount/minimum`); `""` is the schema itself.
    public let pointer: String
    public let message: String

    public init(code: Code, pointer: String, message: String) {
        self.code = code
        self.pointer = pointer
        self.message = message
    }

    public var description: String { "\(pointer.isEmpty ? "schema" : pointer): \(message)" }
}
