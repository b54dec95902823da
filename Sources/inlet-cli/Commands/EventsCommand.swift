import ArgumentParser
import InletClient

/// `inlet events list|get|dispatch|replay`: events received by the project's sources.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Events: dispatch one, list and inspect them, replay one.",
        subcommands: [List.self, Get.self, Dispatch.self, Replay.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List events, newest first.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var page: ListOptions
        @Option(help: ArgumentHelp("Only this event source's events (name or id).", valueName: "source"))
        var source: String?

        func run() async throws {
            let session = Session(options)
            let output = try await session.call {
                try await $0.listEvents(
                    query: .init(projectId: session.projectID, source: source, limit: page.limit, after: page.after)
                ).ok
            }
            let events = try output.body.json
            try session.emitList(events, hasMore: output.headers.link != nil, lastID: events.last?.id) {
                var table = Table("ID", "SOURCE", "VIA", "DISPATCHED", "RECEIVED")
                for event in events {
                    table.append([
                        event.id, event.sourceId, event.via.rawValue, "\(event.dispatched)",
                        JSONOutput.time(event.receivedAt),
                    ])
                }
                return table
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one event with its payload.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The event's id.") var id: String

        func run() async throws {
            let session = Session(options)
            let event = try await session.call {
                try await $0.getEvent(path: .init(id: id), query: .init(projectId: session.projectID)).ok.body.json
            }
            try session.emit(event) {
                var details = Details()
                details.append("id", event.id)
                details.append("source", event.sourceId)
                details.append("via", event.via.rawValue)
                details.append("idempotency key", event.idempotencyKey)
                details.append("dispatched", "\(event.dispatched)")
                details.append("received", JSONOutput.time(event.receivedAt))
                details.append("payload", JSONOutput.compact(event.payload))
                return details.rendered
            }
        }
    }

    struct Dispatch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Dispatch an event to a source: one run per matching subscription.")
        @OptionGroup var options: GlobalOptions
        @Option(help: ArgumentHelp("The event source (name or id).", valueName: "source")) var source: String
        @Option(help: ArgumentHelp("The payload (JSON or @file; default {}).", valueName: "json")) var payload: String?
        @Option(help: "A repeat with the same key creates nothing and answers the original event.")
        var idempotencyKey: String?

        func run() async throws {
            let session = Session(options)
            let body = Components.Schemas.DispatchRequest(
                source: source, projectId: session.projectID, payload: try payload.map { try JSONArgument($0).value() },
                idempotencyKey: idempotencyKey)
            let result = try await session.call { try await $0.dispatchEvent(body: .json(body)).accepted.body.json }
            try session.emit(result) {
                var details = Details()
                details.append("event", result.eventId)
                details.append("dispatched", "\(result.dispatched)")
                details.append("duplicate", "\(result.duplicate)")
                return details.rendered
            }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay an event: its source's current subscriptions create runs again.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The event's id.") var id: String
        @Flag(help: "Report what it would create; create nothing.") var dryRun = false

        func run() async throws {
            let session = Session(options)
            let output = try await session.call {
                try await $0.replayEvent(
                    path: .init(id: id), query: .init(projectId: session.projectID, dryRun: dryRun ? true : nil))
            }
            let result: Components.Schemas.ReplayResult
            switch output {
            case .ok(let ok): result = try ok.body.json
            case .accepted(let accepted): result = try accepted.body.json
            default: throw CommandError("unexpected answer to the replay: \(output)")
            }
            try session.emit(result) {
                var table = Table("SUBSCRIPTION", "JOB")
                for match in result.matches { table.append([match.subscriptionId, match.jobId]) }
                let verb = result.dryRun ? "would dispatch" : "dispatched"
                return "event \(result.eventId): \(verb) \(result.dryRun ? result.matches.count : result.dispatched)\n"
                    + table.rendered
            }
        }
    }
}
