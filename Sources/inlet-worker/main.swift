import ArgumentParser
import Foundation
import Inlet
import InletStore
import InletWorker
import Logging

/// Claims and executes Inlet's job runs until SIGTERM. Configured by environment variables (docs/worker.md).
@main
struct InletWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inlet-worker",
        abstract: "Claims and executes Inlet job runs; configured by environment variables (see docs/worker.md).")

    func run() async throws {
        let configuration: WorkerConfiguration
        do {
            configuration = try WorkerConfiguration(environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("inlet-worker: invalid configuration: \(error)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
        let format: String
        do {
            format = try EnvironmentReader(ProcessInfo.processInfo.environment).choice(
                "INLET_LOG_FORMAT", default: "text", allowed: ["text", "json"])
        } catch {
            FileHandle.standardError.write(Data("inlet-worker: invalid configuration: \(error)\n".utf8))
            throw ExitCode(78)
        }
        LoggingSystem.bootstrap(format: format, level: configuration.logLevel)
        let application: WorkerApplication
        do {
            application = try WorkerApplication(configuration: configuration)
        } catch {
            FileHandle.standardError.write(Data("inlet-worker: \(error)\n".utf8))
            throw ExitCode(78)
        }
        do {
            try await application.run()
        } catch let error as WorkerConfigurationError {
            FileHandle.standardError.write(Data("inlet-worker: invalid configuration: \(error)\n".utf8))
            throw ExitCode(78)
        }
    }
}
