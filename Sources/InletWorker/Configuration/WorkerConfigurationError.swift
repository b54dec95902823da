/// A configuration value the worker cannot use; the message names the environment variable.
public struct WorkerConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The environment variable at fault, e.g. `INLET_WORKER_CONCURRENCY`.
    public let variable: String
    public let message: String

    public init(variable: String, message: String) {
        self.variable = variable
        self.message = message
    }

    public var description: String { "\(variable): \(message)" }
}
