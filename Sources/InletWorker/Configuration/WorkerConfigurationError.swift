import InletConfiguration

/// A configuration value the worker cannot use; the message names the environment variable. The same error as the
/// server's (one reader for both executables).
public typealias WorkerConfigurationError = ConfigurationError
