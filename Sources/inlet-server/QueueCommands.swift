import ArgumentParser
import Foundation
import Inlet
import InletStore

struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show runs by state and the age of the oldest queued run that is due, per project.")

    func run() async throws {
        try await Admin.withPool { pool in
            let statistics = try await JobRunQueue(pool: pool).statistics()
            guard !statistics.isEmpty else {
                print("no runs")
                return
            }
            let projects = ProjectRepository(pool: pool)
            var table = TextTable(
                ["PROJECT", "NAME", "QUEUED", "RUNNING", "SUCCEEDED", "DEAD", "CANCELLED", "OLDEST QUEUED"],
                rightAligned: [2, 3, 4, 5, 6, 7])
            var total = ProjectQueueStatistics(projectID: UUID())
            for project in statistics {
                let name = (try? await projects.get(project.projectID).name) ?? "?"
                table.append(Self.row(project.projectID.lowercasedString, name, project))
                total.queued += project.queued
                total.running += project.running
                total.succeeded += project.succeeded
                total.dead += project.dead
                total.cancelled += project.cancelled
                total.oldestQueuedAge = [total.oldestQueuedAge, project.oldestQueuedAge].compactMap { $0 }.max()
            }
            if statistics.count > 1 { table.append(Self.row("all projects", "", total)) }
            print(table.rendered)
        }
    }

    static func row(_ project: String, _ name: String, _ statistics: ProjectQueueStatistics) -> [String] {
        [
            project, name, "\(statistics.queued)", "\(statistics.running)", "\(statistics.succeeded)",
            "\(statistics.dead)", "\(statistics.cancelled)", statistics.oldestQueuedAge?.compactAge ?? "-",
        ]
    }
}

struct RequeueDead: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requeue-dead",
        abstract: "Queue every dead run of a job again, now, with one more attempt allowed (as the API's retry does).")

    @Option(help: "The project that owns the job.") var project: String
    @Option(help: "The job whose dead runs to requeue.") var job: String

    func validate() throws {
        guard UUID(uuidString: project) != nil else { throw ValidationError("--project must be a project id (UUID)") }
        guard UUID(uuidString: job) != nil else { throw ValidationError("--job must be a job id (UUID)") }
    }

    func run() async throws {
        try await Admin.withPool { pool in
            let notifier = RunNotifier(pool: pool)
            let runs = RunRepository(projectID: UUID(uuidString: project)!, pool: pool, notifier: notifier)
            do {
                let requeued = try await runs.requeueDead(jobID: UUID(uuidString: job)!)
                if requeued > 0 { try? await notifier.notify() }
                print("requeued \(requeued) dead run\(requeued == 1 ? "" : "s")")
            } catch let error as StoreError where error.code == .notFound {
                throw CommandFailure("project \(project) has no job \(job)")
            }
        }
    }
}
