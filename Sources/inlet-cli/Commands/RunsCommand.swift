import ArgumentParser
import InletClient

/// `inlet runs list|get|retry|cancel`: job runs, one per matching subscription of an event.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "Job runs: list and inspect them, retry a dead one, cancel a queued one.",
        subcommands: [List.self, Get.self, Retry.self, Cancel.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List runs, newest first.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var page: ListOptions
        @Option(
            help: ArgumentHelp(
                "Only runs in these states, comma-separated: scheduled, queued, running, succeeded, dead, cancelled.",
                valueName: "states"))
        var status: String?
        @Option(help: ArgumentHelp("Only this job's runs.", valueName: "id")) var job: String?
        @Option(help: ArgumentHelp("Only this event's runs.", valueName: "id")) var event: String?

        func run() async throws {
            let session = Session(options)
            let output = try await session.call {
                try await $0.listRuns(
                    query: .init(
                        projectId: session.projectID, status: status, jobId: job, eventId: event, limit: page.limit,
                        after: page.after)
                ).ok
            }
            let runs = try output.body.json
            try session.emitList(runs, hasMore: output.headers.link != nil, lastID: runs.last?.id) {
                .runs(runs)
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one run with its attempts.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The run's id.") var id: String

        func run() async throws {
            let session = Session(options)
            let run = try await session.call {
                try await $0.getRun(path: .init(id: id), query: .init(projectId: session.projectID)).ok.body.json
            }
            try session.emit(run) {
                var details = Details.run(run).rendered
                if let attempts = run.attempts, !attempts.isEmpty {
                    var table = Table("ATTEMPT", "OUTCOME", "STATUS", "DURATION", "STARTED", "ERROR")
                    for attempt in attempts {
                        table.append([
                            "\(attempt.attempt)", attempt.outcome.rawValue, attempt.statusCode.map { "\($0)" } ?? "-",
                            "\(attempt.durationMs) ms", JSONOutput.time(attempt.startedAt), attempt.error ?? "",
                        ])
                    }
                    details += "\n\n" + table.rendered
                }
                return details
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue a dead or cancelled run again.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The run's id.") var id: String

        func run() async throws {
            let session = Session(options)
            let run = try await session.call {
                try await $0.retryRun(path: .init(id: id), query: .init(projectId: session.projectID)).ok.body.json
            }
            try session.emit(run) { Details.run(run).rendered }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a queued or scheduled run.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The run's id.") var id: String

        func run() async throws {
            let session = Session(options)
            let run = try await session.call {
                try await $0.cancelRun(path: .init(id: id), query: .init(projectId: session.projectID)).ok.body.json
            }
            try session.emit(run) { Details.run(run).rendered }
        }
    }
}

extension Table {
    static func runs(_ runs: [Components.Schemas.JobRun]) -> Table {
        var table = Table("ID", "STATUS", "ATTEMPT", "JOB", "EVENT", "UPDATED")
        for run in runs {
            table.append([
                run.id, run.status.rawValue, "\(run.attempt)/\(run.maxAttempts)", run.jobId, run.eventId,
                JSONOutput.time(run.updatedAt),
            ])
        }
        return table
    }
}

extension Details {
    static func run(_ run: Components.Schemas.JobRun) -> Details {
        var details = Details()
        details.append("id", run.id)
        details.append("status", run.status.rawValue)
        details.append("attempt", "\(run.attempt) of \(run.maxAttempts)")
        details.append("job", run.jobId)
        details.append("event", run.eventId)
        details.append("run at", JSONOutput.time(run.runAt))
        details.append("finished", JSONOutput.time(run.finishedAt))
        details.append("last error", run.lastError)
        details.append("dead reason", run.deadReason?.rawValue)
        return details
    }
}
