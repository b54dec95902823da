import ArgumentParser

/// `inlet`: a command-line client of Inlet's public HTTP API (never the database; the operators' database-level
/// commands stay in `inlet-server admin`).
@main
struct Inlet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inlet",
        abstract: "A command-line client of the Inlet API.",
        discussion: """
            Connects to INLET_URL (or --url; default http://127.0.0.1:8080) with the key in INLET_API_KEY (or \
            --api-key). --json prints the API's JSON for scripts; otherwise results are tables.
            """,
        subcommands: [
            SourcesCommand.self, SubscriptionsCommand.self, JobsCommand.self, EventsCommand.self, RunsCommand.self,
            TailCommand.self,
        ]
    )
}
