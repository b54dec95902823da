import Foundation
import Testing

/// The built `inlet` executable, run as a user runs it: configuration from `INLET_URL` and `INLET_API_KEY`.
struct CLI {
    let stack: InletStack

    struct Result {
        let status: Int32
        let output: String
        let errors: String

        /// The output parsed as JSON (`--json`).
        func json() throws -> Any {
            try JSONSerialization.jsonObject(with: Data(output.utf8), options: [.fragmentsAllowed])
        }

        func object() throws -> [String: Any] {
            try #require(try json() as? [String: Any], "not a JSON object: \(output)")
        }
    }

    /// A started `inlet` that writes to files, for `tail`.
    final class Running: @unchecked Sendable {
        let process: Process
        let outputFile: URL
        let errorFile: URL

        init(process: Process, outputFile: URL, errorFile: URL) {
            self.process = process
            self.outputFile = outputFile
            self.errorFile = errorFile
        }

        var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }
        var errors: String { (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "" }

        /// Sends SIGTERM and waits for the exit; returns the exit status.
        func terminate() async -> Int32 {
            process.terminate()
            while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
            return process.terminationStatus
        }
    }

    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["INLET_URL"] = stack.serverURL.absoluteString
        environment["INLET_API_KEY"] = stack.apiKey
        environment.removeValue(forKey: "INLET_PROJECT_ID")
        return environment
    }

    /// Starts `inlet arguments…` with its output going to files.
    func start(_ arguments: [String]) throws -> Running {
        let process = Process()
        process.executableURL = try InletStack.executable("inlet")
        process.arguments = arguments
        process.environment = environment
        let name = UUID().uuidString
        let outputFile = stack.logDirectory.appendingPathComponent("inlet-\(name).out")
        let errorFile = stack.logDirectory.appendingPathComponent("inlet-\(name).err")
        for file in [outputFile, errorFile] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Running(process: process, outputFile: outputFile, errorFile: errorFile)
    }

    /// Runs `inlet arguments…` to its end.
    func run(_ arguments: String...) async throws -> Result {
        try await result(arguments)
    }

    /// Runs `inlet arguments…`, expecting success.
    func succeed(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) async throws -> Result {
        let result = try await result(arguments)
        try #require(
            result.status == 0, "inlet \(arguments.joined(separator: " ")) failed: \(result.errors)",
            sourceLocation: sourceLocation)
        return result
    }

    private func result(_ arguments: [String]) async throws -> Result {
        let running = try start(arguments)
        while running.process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        return Result(status: running.process.terminationStatus, output: running.output, errors: running.errors)
    }
}
