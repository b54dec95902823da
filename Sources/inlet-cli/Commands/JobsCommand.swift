import ArgumentParser
import Foundation
import InletClient
import OpenAPIRuntime

/// `inlet jobs list|get|create`: jobs, what runs for matching events.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "Jobs: what runs for matching events (http or noop).",
        subcommands: [List.self, Get.self, Create.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the jobs, newest first.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var page: ListOptions

        func run() async throws {
            let session = Session(options)
            let output = try await session.call {
                try await $0.listJobs(query: .init(projectId: session.projectID, limit: page.limit, after: page.after))
                    .ok
            }
            let jobs = try output.body.json
            try session.emitList(jobs, hasMore: output.headers.link != nil, lastID: jobs.last?.id) {
                var table = Table("ID", "NAME", "KIND", "ENABLED", "MAX ATTEMPTS", "CIRCUIT", "CREATED")
                for job in jobs {
                    table.append([
                        job.id, job.name, job.kind, "\(job.enabled)", "\(job.maxAttempts)", job.circuit.state.rawValue,
                        JSONOutput.time(job.createdAt),
                    ])
                }
                return table
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one job.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The job's id.") var id: String

        func run() async throws {
            let session = Session(options)
            let job = try await session.call {
                try await $0.getJob(path: .init(id: id), query: .init(projectId: session.projectID)).ok.body.json
            }
            try session.emit(job) {
                var details = Details.job(
                    id: job.id, name: job.name, kind: job.kind, config: job.config, maxAttempts: job.maxAttempts,
                    enabled: job.enabled, createdAt: job.createdAt)
                details.append("circuit", job.circuit.state.rawValue)
                return details.rendered
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a job.",
            discussion: "An http job needs --target-url (or a --config with one); a noop job succeeds at once.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "A name unique in the project: 1–128 of A–Z a–z 0–9 . _ : -") var name: String
        @Option(help: "http or noop.") var kind = "http"
        @Option(help: ArgumentHelp("For an http job: the URL the worker posts each run to.", valueName: "url"))
        var targetURL: String?
        @Option(
            help: ArgumentHelp(
                "The whole config object (JSON or @file); --target-url is added to it.", valueName: "json"))
        var config: String?
        @Option(help: "Attempts before a run is dead (1–100; the API's default is 10).") var maxAttempts: Int?
        @Flag(help: "Create it disabled.") var disabled = false

        func run() async throws {
            let session = Session(options)
            var configuration = try config.map { try JSONArgument($0).object() } ?? OpenAPIObjectContainer()
            if let targetURL {
                var members = configuration.value
                members["url"] = targetURL
                try configuration.setValue(validating: members)
            }
            let body = Components.Schemas.JobCreate(
                name: name, config: configuration, maxAttempts: maxAttempts, enabled: disabled ? false : nil,
                projectId: session.projectID, kind: kind)
            let job = try await session.call { try await $0.createJob(body: .json(body)).created.body.json }
            try session.emit(job) {
                var details = Details.job(
                    id: job.id, name: job.name, kind: job.kind, config: job.config, maxAttempts: job.maxAttempts,
                    enabled: job.enabled, createdAt: job.createdAt)
                details.append("signing secret", "\(job.signingSecret)  (shown once)")
                return details.rendered
            }
        }
    }
}

extension Details {
    static func job(
        id: String, name: String, kind: String, config: OpenAPIObjectContainer, maxAttempts: Int, enabled: Bool,
        createdAt: Date
    ) -> Details {
        var details = Details()
        details.append("id", id)
        details.append("name", name)
        details.append("kind", kind)
        details.append("config", JSONOutput.compact(config))
        details.append("max attempts", "\(maxAttempts)")
        details.append("enabled", "\(enabled)")
        details.append("created", JSONOutput.time(createdAt))
        return details
    }
}
