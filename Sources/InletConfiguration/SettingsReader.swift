import Configuration
import Foundation

/// Reads the typed settings of both executables through swift-configuration's `ConfigReader` over the process
/// environment, strictly: a value that does not parse stops start-up with a ``ConfigurationError`` naming the
/// variable (the library's own getters fall back to the default on a bad value, which would hide a typo).
///
/// Settings that hold secrets (``secret(_:)``) may instead be given in a file, as container orchestrators mount
/// them: `NAME_FILE=/run/secrets/name` reads the file's contents (a trailing newline dropped). Setting both `NAME`
/// and `NAME_FILE` is an error; secrets are marked as such, so swift-configuration's access log redacts them.
public struct SettingsReader: Sendable {
    let config: ConfigReader
    let environment: [String: String]

    public init(_ environment: [String: String]) {
        self.environment = environment
        let secrets = Self.secretNames.flatMap { [$0, $0 + "_FILE"] }
        self.config = ConfigReader(
            provider: EnvironmentVariablesProvider(
                environmentVariables: environment, secretsSpecifier: .specific(Set(secrets))))
    }

    /// The settings that are secrets, readable from `NAME_FILE`.
    public static let secretNames = ["DATABASE_URL", "INLET_SECRET_KEY", "INLET_ADMIN_TOKEN"]

    /// The configuration key of an environment variable name: `INLET_PORT` is `inlet.port`, which the environment
    /// provider spells `INLET_PORT` again.
    static func key(_ name: String) -> ConfigKey {
        ConfigKey(name.lowercased().split(separator: "_").map(String.init))
    }

    /// The trimmed value, or `nil` when unset or empty.
    public func string(_ name: String) -> String? {
        let isSecret = Self.secretNames.contains(name)
        guard let value = config.string(forKey: Self.key(name), isSecret: isSecret)?.trimmingASCIIWhitespace(),
            !value.isEmpty
        else { return nil }
        return String(value)
    }

    /// A secret from `name` or from the file named by `name_FILE`; `nil` when neither is set.
    public func secret(_ name: String) throws(ConfigurationError) -> String? {
        let direct = string(name)
        guard let path = string(name + "_FILE") else { return direct }
        guard direct == nil else {
            throw ConfigurationError(variable: name, message: "is set and so is \(name)_FILE; set one of them")
        }
        let contents: String
        do {
            contents = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(
                variable: name + "_FILE",
                message: "names a file that cannot be read (\(path)): \(error.localizedDescription)")
        }
        let value = contents.trimmingASCIIWhitespace()
        guard !value.isEmpty else {
            throw ConfigurationError(variable: name + "_FILE", message: "names an empty file (\(path))")
        }
        return String(value)
    }

    public func required(_ name: String, hint: String = "") throws(ConfigurationError) -> String {
        let value = Self.secretNames.contains(name) ? try secret(name) : string(name)
        guard let value else {
            let file = Self.secretNames.contains(name) ? " (or \(name)_FILE)" : ""
            throw ConfigurationError(
                variable: name, message: "is required\(file)" + (hint.isEmpty ? "" : "; \(hint)"))
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

/// A setting that stops start-up: the message names the variable and what is wrong. Both executables print it and
/// exit with status 78 (`EX_CONFIG`).
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let variable: String
    public let message: String

    public init(variable: String, message: String) {
        self.variable = variable
        self.message = message
    }

    public var description: String { "\(variable): \(message)" }

    /// The exit status of a process stopped by a bad setting.
    public static let exitStatus: Int32 = 78
}

extension StringProtocol {
    /// The string without leading and trailing ASCII spaces, tabs and line breaks.
    func trimmingASCIIWhitespace() -> SubSequence {
        let isSpace = { (c: Character) in c == " " || c == "\t" || c == "\n" || c == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }) else { return self[endIndex...] }
        let end = lastIndex(where: { !isSpace($0) })!
        return self[start...end]
    }
}
