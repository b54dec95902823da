import ArgumentParser
import Dispatch
import Foundation
import InletClient
import OpenAPIRuntime

/// `inlet tail`: follows new events and run outcomes as they happen, until interrupted.
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Follow new events and run outcomes (succeeded, dead, cancelled) until interrupted.",
        discussion: """
            Polls GET /v1/events (from the newest event seen) and GET /v1/runs (finished states, newest first). \
            With --json, one JSON object a line: {"type": "event", "event": {…}} or {"type": "run", "run": {…}}.
            """)

    @OptionGroup var options: GlobalOptions
    @Option(help: ArgumentHelp("Only this event source's events (name or id).", valueName: "source"))
    var source: String?
    @Option(help: "Seconds between polls.") var interval: Double = 1

    func validate() throws {
        guard interval >= 0.05 else { throw ValidationError("--interval must be at least 0.05 seconds") }
    }

    func run() async throws {
        let interrupts = Self.exitOnInterrupt()
        defer { interrupts.forEach { $0.cancel() } }
        let session = Session(options)
        var follower = TailFollower(session: session, source: source)
        try await session.call { _ in try await follower.skipExisting() }
        // On standard error, so that scripts (and tests) know that what happens from now on will be printed.
        FileHandle.standardError.write(Data("inlet tail: following \(options.serverURL) (Ctrl-C to stop)\n".utf8))
        while true {
            do {
                // Unbuffered, a line at a time: a pipe reader sees each entry as it happens.
                for entry in try await follower.poll() {
                    FileHandle.standardOutput.write(Data((try entry.line(json: options.json) + "\n").utf8))
                }
            } catch let error where Self.isTransient(error) {
                let message = CommandError(error, serverURL: options.serverURL)
                FileHandle.standardError.write(Data("inlet tail: \(message); retrying\n".utf8))
            } catch {
                throw CommandError(error, serverURL: options.serverURL)
            }
            try await Task.sleep(for: .milliseconds(Int(interval * 1000)))
        }
    }

    /// An unreachable server or a 5xx is retried at the next poll; a refusal (a bad key, an unknown source) ends
    /// the command.
    static func isTransient(_ error: any Error) -> Bool {
        if let apiError = InletAPIError(error) { return apiError.status >= 500 || apiError.status == 429 }
        return !((error as? ClientError)?.underlyingError is DecodingError)
    }

    /// Ctrl-C (or SIGTERM) ends `tail` with status 0: following until interrupted is its normal life.
    static func exitOnInterrupt() -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { Foundation.exit(0) }
            source.resume()
            return source
        }
    }
}
