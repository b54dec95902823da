import ArgumentParser
import Foundation
import InletClient
import OpenAPIRuntime

/// `inlet sources list|get|create`: event sources.
struct SourcesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources", abstract: "Event sources: where events arrive.",
        subcommands: [List.self, Get.self, Create.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the event sources, newest first.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var page: ListOptions

        func run() async throws {
            let session = Session(options)
            let output = try await session.call {
                try await $0.listEventSources(
                    query: .init(projectId: session.projectID, limit: page.limit, after: page.after)
                ).ok
            }
            let sources = try output.body.json
            try session.emitList(sources, hasMore: output.headers.link != nil, lastID: sources.last?.id) {
                .sources(sources)
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one event source.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The source's id.") var id: String

        func run() async throws {
            let session = Session(options)
            let source = try await session.call {
                try await $0.getEventSource(path: .init(id: id), query: .init(projectId: session.projectID)).ok.body
                    .json
            }
            try session.emit(source) { Details.source(source).rendered }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an event source.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "A name unique in the project: 1–128 of A–Z a–z 0–9 . _ : -") var name: String
        @Option(help: "What the source is for.") var description: String?
        @Option(help: ArgumentHelp("A JSON Schema payloads must satisfy (JSON or @file).", valueName: "json"))
        var schema: String?
        @Option(help: "How ingested webhooks are verified: hmac, standard-webhooks, stripe, slack or none.")
        var signatureScheme: Components.Schemas.EventSourceCreate.SignatureSchemePayload?
        @Flag(help: "Create it disabled.") var disabled = false

        func run() async throws {
            let session = Session(options)
            let body = Components.Schemas.EventSourceCreate(
                name: name, description: description, schema: try schema.map { try JSONArgument($0).object() },
                enabled: disabled ? false : nil, signatureScheme: signatureScheme, projectId: session.projectID)
            let created = try await session.call { try await $0.createEventSource(body: .json(body)).created.body.json }
            try session.emit(created) {
                var details = Details.source(created)
                if let secret = created.signingSecret {
                    details.append("signing secret", "\(secret)  (shown once)")
                }
                return details.rendered
            }
        }
    }
}

extension Components.Schemas.EventSourceCreate.SignatureSchemePayload: ExpressibleByArgument {}

extension Table {
    static func sources(_ sources: [Components.Schemas.EventSource]) -> Table {
        var table = Table("ID", "NAME", "ENABLED", "SCHEME", "CREATED")
        for source in sources {
            table.append([
                source.id, source.name, "\(source.enabled)", source.signatureScheme?.rawValue ?? "-",
                JSONOutput.time(source.createdAt),
            ])
        }
        return table
    }
}

/// What a source's details show; the API's source with and without its secret share it.
protocol EventSourceFields {
    var id: String { get }
    var projectId: String { get }
    var name: String { get }
    var description: String? { get }
    var enabled: Bool { get }
    var schema: OpenAPIObjectContainer { get }
    var signatureHeader: String? { get }
    var schemeName: String? { get }
    var createdAt: Date { get }
    var updatedAt: Date { get }
}

extension Components.Schemas.EventSource: EventSourceFields {
    var schemeName: String? { signatureScheme?.rawValue }
}

extension Components.Schemas.EventSourceWithSecret: EventSourceFields {
    var schemeName: String? { signatureScheme?.rawValue }
}

extension Details {
    static func source(_ source: some EventSourceFields) -> Details {
        var details = Details()
        details.append("id", source.id)
        details.append("project", source.projectId)
        details.append("name", source.name)
        details.append("description", source.description)
        details.append("enabled", "\(source.enabled)")
        details.append("schema", JSONOutput.compact(source.schema))
        details.append("signature scheme", source.schemeName)
        details.append("signature header", source.signatureHeader)
        details.append("created", JSONOutput.time(source.createdAt))
        details.append("updated", JSONOutput.time(source.updatedAt))
        return details
    }
}
