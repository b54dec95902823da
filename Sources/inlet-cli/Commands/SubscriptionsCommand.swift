import ArgumentParser
import InletClient

/// `inlet subscriptions list|get|create`: a source's subscriptions, each sending matching events to a job.
struct SubscriptionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscriptions", abstract: "Subscriptions: which of a source's events run which job.",
        subcommands: [List.self, Get.self, Create.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a source's subscriptions, newest first.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var page: ListOptions
        @Option(help: ArgumentHelp("The event source's id.", valueName: "id")) var source: String

        func run() async throws {
            let session = Session(options)
            let output = try await session.call {
                try await $0.listSubscriptions(
                    path: .init(id: source), query: .init(limit: page.limit, after: page.after)
                ).ok
            }
            let subscriptions = try output.body.json
            try session.emitList(
                subscriptions, hasMore: output.headers.link != nil, lastID: subscriptions.last?.id
            ) {
                var table = Table("ID", "JOB", "ENABLED", "FILTER", "CREATED")
                for subscription in subscriptions {
                    table.append([
                        subscription.id, subscription.targetId, "\(subscription.enabled)",
                        JSONOutput.compact(subscription.filterExpr), JSONOutput.time(subscription.createdAt),
                    ])
                }
                return table
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one subscription.")
        @OptionGroup var options: GlobalOptions
        @Option(help: ArgumentHelp("The event source's id.", valueName: "id")) var source: String
        @Argument(help: "The subscription's id.") var id: String

        func run() async throws {
            let session = Session(options)
            let subscription = try await session.call {
                try await $0.getSubscription(path: .init(id: source, subscriptionId: id)).ok.body.json
            }
            try session.emit(subscription) { Details.subscription(subscription).rendered }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Subscribe a job to a source's events.")
        @OptionGroup var options: GlobalOptions
        @Option(help: ArgumentHelp("The event source's id.", valueName: "id")) var source: String
        @Option(help: ArgumentHelp("The job to run for matching events.", valueName: "id")) var job: String
        @Option(
            help: ArgumentHelp(
                "An EventBridge event pattern (JSON or @file; default {}: every event).", valueName: "json"))
        var filter: String?
        @Flag(help: "Create it disabled.") var disabled = false

        func run() async throws {
            let session = Session(options)
            let body = Components.Schemas.SubscriptionCreate(
                targetType: .job, targetId: job, filterExpr: try filter.map { try JSONArgument($0).object() },
                enabled: disabled ? false : nil)
            let subscription = try await session.call {
                try await $0.subscribe(path: .init(id: source), body: .json(body)).created.body.json
            }
            try session.emit(subscription) { Details.subscription(subscription).rendered }
        }
    }
}

extension Details {
    static func subscription(_ subscription: Components.Schemas.Subscription) -> Details {
        var details = Details()
        details.append("id", subscription.id)
        details.append("source", subscription.sourceId)
        details.append("target", "\(subscription.targetType.rawValue) \(subscription.targetId)")
        details.append("filter", JSONOutput.compact(subscription.filterExpr))
        details.append("enabled", "\(subscription.enabled)")
        details.append("created", JSONOutput.time(subscription.createdAt))
        return details
    }
}
