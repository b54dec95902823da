import ArgumentParser
import Foundation
import Inlet
import InletConfiguration
import InletStore
import InletTelemetry
import InletWorker
import Logging
import ServiceLifecycle

/// Claims and executes Inlet's job runs until SIGTERM. Configured by environment variables (docs/worker.md).
@main
struct InletWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inlet-worker",
        abstract: "Claims and executes Inlet job runs; configured by environment variables (see docs/worker.md).",
        subcommands: [Work.self, Healthcheck.self], defaultSubcommand: Work.self)
}

/// Exits 0 when the worker configured by the environment answers `/healthz` on its metrics port
/// (`INLET_WORKER_METRICS_HOST`, `INLET_WORKER_METRICS_PORT`), 1 otherwise: the container's health check.
struct Healthcheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Exit 0 if the local worker answers GET /healthz on its metrics port (for container health checks).")

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let port = Int(environment["INLET_WORKER_METRICS_PORT"] ?? "") ?? WorkerConfiguration.defaultMetricsPort
        let host = environment["INLET_WORKER_METRICS_HOST"] ?? WorkerConfiguration.defaultMetricsHost
        guard port > 0, HealthProbe.isHealthy(host: host, port: port) else {
            FileHandle.standardError.write(Data("inlet-worker: no healthy answer on port \(port)\n".utf8))
            throw ExitCode.failure
        }
    }
}

/// The worker itself (the default subcommand).
struct Work: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Claim and execute job runs until SIGTERM (the default).")

    func run() async throws {
        let configuration: WorkerConfiguration
        do {
            configuration = try WorkerConfiguration(environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("inlet-worker: invalid configuration: \(error)\n".utf8))
            throw ExitCode(ConfigurationError.exitStatus)
        }
        let format: String
        do {
            format = try SettingsReader(ProcessInfo.processInfo.environment).choice(
                "INLET_LOG_FORMAT", default: "text", allowed: ["text", "json"])
        } catch {
            FileHandle.standardError.write(Data("inlet-worker: invalid configuration: \(error)\n".utf8))
            throw ExitCode(ConfigurationError.exitStatus)
        }
        let environment = ProcessInfo.processInfo.environment
        let tracing: (any Service)?
        do {
            tracing = try InletTracing.bootstrap(serviceName: "inlet-worker", environment: environment)
        } catch {
            FileHandle.standardError.write(Data("inlet-worker: invalid configuration: \(error)\n".utf8))
            throw ExitCode(ConfigurationError.exitStatus)
        }
        LoggingSystem.bootstrap(
            format: format, level: configuration.logLevel,
            metadataProvider: tracing == nil ? nil : InletTracing.loggingMetadataProvider)
        let application: WorkerApplication
        do {
            application = try WorkerApplication(configuration: configuration, tracing: tracing)
        } catch {
            FileHandle.standardError.write(Data("inlet-worker: \(error)\n".utf8))
            throw ExitCode(ConfigurationError.exitStatus)
        }
        do {
            try await application.run()
        } catch let error as WorkerConfigurationError {
            FileHandle.standardError.write(Data("inlet-worker: invalid configuration: \(error)\n".utf8))
            throw ExitCode(ConfigurationError.exitStatus)
        }
    }
}
