import ArgumentParser
import Foundation
import Postgres
import Synchronization

/// Benchmark drivers for `scripts/bench*`. Each prints one JSON line of results so scripts can compare it with
/// a baseline measured in the same invocation.
@main
struct InletBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inlet-bench", abstract: "Benchmark drivers for Inlet's scripts/bench.",
        subcommands: [DriverBenchmark.self, FilterBenchmark.self, WorkBenchmark.self])
}

/// `SELECT $1` round trips or single-row INSERTs through the pool, with `concurrency` tasks for `seconds`.
struct DriverBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "driver", abstract: "Round trips per second through the Postgres driver's pool.")

    @Option(help: "select or insert") var statement: String = "select"
    @Option(help: "Concurrent tasks (and pool connections).") var concurrency: Int = 1
    @Option(help: "Measured seconds, after one second of warm-up.") var seconds: Double = 10

    func run() async throws {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"] else {
            throw ValidationError("DATABASE_URL is required")
        }
        let pool = PostgresPool(
            configuration: try PostgresConfiguration(url: url, applicationName: "inlet-bench"),
            poolConfiguration: .init(maxConnections: concurrency, acquireTimeout: .seconds(30)))
        let sql =
            statement == "insert"
            ? "INSERT INTO bench_driver_insert (value) VALUES ($1)" : "SELECT $1::int8"
        let state = BenchmarkState()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var value = Int64(worker)
                    while !state.stop.load(ordering: .relaxed) {
                        try await pool.query(sql, [value])
                        value += 1
                        if state.counting.load(ordering: .relaxed) { state.count.add(1, ordering: .relaxed) }
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(1))
                state.counting.store(true, ordering: .relaxed)
                try await Task.sleep(for: .seconds(seconds))
                state.stop.store(true, ordering: .relaxed)
            }
            try await group.waitForAll()
        }
        let total = state.count.load(ordering: .relaxed)
        print(
            #"{"statement":"\#(statement)","concurrency":\#(concurrency),"seconds":\#(seconds),"count":\#(total),"per_second":\#(Int(Double(total) / seconds))}"#
        )
        await pool.shutdown()
    }
}

/// Flags and counters shared by a benchmark's tasks.
final class BenchmarkState: Sendable {
    let counting = Atomic<Bool>(false)
    let stop = Atomic<Bool>(false)
    let count = Atomic<Int>(0)
}
