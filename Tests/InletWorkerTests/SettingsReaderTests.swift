import Foundation
import InletConfiguration
import InletHTTP
import InletWorker
import Testing

/// One configuration reader for both executables: the same errors, the same exit status, and secrets from files.
@Suite struct SettingsReaderTests {
    static let base = [
        "DATABASE_URL": "postgres://inlet@localhost/inlet", "INLET_SECRET_KEY": String(repeating: "ab", count: 32),
    ]

    /// A scratch file holding `contents`, removed after `body`.
    func withFile<T>(_ contents: String, _ body: (String) throws -> T) throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("inlet-setting-\(UUID())").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    @Test func secretsAreReadFromFilesByBothExecutables() throws {
        let token = String(repeating: "t", count: 40)
        try withFile("\(token)\n") { tokenFile in
            try withFile(Self.base["INLET_SECRET_KEY"]! + "\n") { keyFile in
                try withFile(Self.base["DATABASE_URL"]!) { urlFile in
                    let environment = [
                        "DATABASE_URL_FILE": urlFile, "INLET_SECRET_KEY_FILE": keyFile,
                        "INLET_ADMIN_TOKEN_FILE": tokenFile,
                    ]
                    let server = try ServerConfiguration(environment: environment)
                    #expect(server.adminToken == token)
                    #expect(server.secretKey == Self.base["INLET_SECRET_KEY"])
                    #expect(server.databaseURL == Self.base["DATABASE_URL"])
                    let worker = try WorkerConfiguration(environment: environment)
                    #expect(worker.databaseURL == Self.base["DATABASE_URL"])
                }
            }
        }
    }

    @Test func aSecretSetTwiceOrInAMissingFileNamesTheVariable() throws {
        try withFile("x") { file in
            var both = Self.base
            both["INLET_SECRET_KEY_FILE"] = file
            #expect(throws: ConfigurationError.self) { try ServerConfiguration(environment: both) }
            #expect(throws: ConfigurationError.self) { try WorkerConfiguration(environment: both) }
        }
        var missing = Self.base
        missing["DATABASE_URL"] = nil
        missing["DATABASE_URL_FILE"] = "/nonexistent/inlet-database-url"
        for read in [
            { _ = try ServerConfiguration(environment: missing) },
            { _ = try WorkerConfiguration(environment: missing) },
        ] as [() throws -> Void] {
            do {
                try read()
                Issue.record("a missing secret file was accepted")
            } catch let error as ConfigurationError {
                #expect(error.variable == "DATABASE_URL_FILE")
                #expect(error.description.hasPrefix("DATABASE_URL_FILE: names a file that cannot be read"))
            }
        }
        try withFile("\n") { empty in
            var environment = Self.base
            environment["INLET_ADMIN_TOKEN_FILE"] = empty
            #expect(throws: ConfigurationError.self) { try ServerConfiguration(environment: environment) }
        }
    }

    @Test func bothExecutablesReportABadSettingAlikeAndExitWith78() throws {
        for name in ["inlet-server", "inlet-worker"] {
            let process = Process()
            process.executableURL = try InletProcesses.executable(name)
            process.arguments = []
            process.environment = Self.base.merging(["INLET_DATABASE_POOL_SIZE": "lots"]) { $1 }
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == ConfigurationError.exitStatus, "\(name): \(output)")
            #expect(
                output.hasPrefix("\(name): invalid configuration: INLET_DATABASE_POOL_SIZE: must be an integer"),
                "\(name): \(output)")
            #expect(output.split(separator: "\n").count == 1, "\(name): \(output)")
        }
    }
}
