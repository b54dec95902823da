/// Reads typed settings from environment variables; a bad value is a ``ConfigurationError`` naming the variable.
public struct EnvironmentReader: Sendable {
    public let environment: [String: String]

    public init(_ environment: [String: String]) { self.environment = environment }

    /// The trimmed value, or `nil` when unset or empty.
    public func string(_ name: String) -> String? {
        guard let value = environment[name]?.trimmingASCIIWhitespace(), !value.isEmpty else { return nil }
        return String(value)
    }

    public func required(_ name: String, hint: String = "") throws(ConfigurationError) -> String {
        guard let value = string(name) else {
            throw ConfigurationError(variable: name, message: "is required" + (hint.isEmpty ? "" : "; \(hint)"))
        }
        return value
    }

    public func integer(_ name: String, default value: Int, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let text = string(name) else { return value }
        guard let parsed = Int(text), range.contains(parsed) else {
            throw ConfigurationError(
                variable: name,
                message: "must be an integer from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
        }
        return parsed
    }

    public func boolean(_ name: String, default value: Bool) throws(ConfigurationError) -> Bool {
        guard let text = string(name)?.lowercased() else { return value }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(variable: name, message: "must be true or false, got \"\(text)\"")
        }
    }

    public func choice(_ name: String, default value: String, allowed: [String]) throws(ConfigurationError) -> String {
        guard let text = string(name)?.lowercased() else { return value }
        guard allowed.contains(text) else {
            throw ConfigurationError(
                variable: name, message: "must be one of \(allowed.joined(separator: ", ")), got \"\(text)\"")
        }
        return text
    }
}

/// A setting that stops start-up: the message names the variable and what is wrong.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let variable: String
    public let message: String

    public init(variable: String, message: String) {
        self.variable = variable
        self.message = message
    }

    public var description: String { "\(variable) \(message)" }
}
