import ArgumentParser
import Foundation
import Inlet

#if canImport(Glibc)
    import Glibc
#endif

/// Steps and CPU time of evaluating tenant-supplied schemas and filters at the body limit: every case of the
/// hostile corpus (its payload scaled to about `bytes`) and honest payloads of the same size. Calibrates
/// ``WorkBudget/defaultSteps``: the CPU a step costs, per evaluator, and so the CPU the worst request may take.
struct WorkBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "work",
        abstract: "Steps, CPU ms and ns per step of schema and filter evaluation at the body limit (issue 14).")

    @Option(help: "The hostile corpus.") var corpus: String = "scripts/bench.d/hostile-corpus.json"
    @Option(help: "Payload size to scale every case to, in bytes of JSON text.") var bytes: Int = 1 << 20
    @Option(help: "Timed evaluations per case; the fastest counts (CPU time of this thread).") var repetitions = 5
    @Option(help: "Run only these cases (comma-separated names).") var only: String?
    @Option(help: "The budget to check each case against.") var budget: Int = WorkBudget.defaultSteps

    func run() throws {
        let document = try JSONValue(parsing: Data(contentsOf: URL(fileURLWithPath: corpus)))
        var scenarios = (document["cases"]?.arrayValue ?? []).map { WorkScenario(hostile: $0, bytes: bytes) }
        scenarios += WorkScenario.honest(bytes: bytes)
        for scenario in scenarios where wants(scenario.name) {
            try measure(scenario)
        }
    }

    private func wants(_ name: String) -> Bool {
        only.map { $0.split(separator: ",").contains(Substring(name)) } ?? true
    }

    private func measure(_ scenario: WorkScenario) throws {
        let payload = scenario.payload()
        let text = Array(payload.serialized().utf8)
        let parseNanoseconds = Self.fastest(of: repetitions) { _ = try! JSONValue(parsing: text) }
        let parseBudget = WorkBudget(steps: .max)
        _ = try JSONValue(parsing: text, budget: parseBudget)
        let evaluate = try scenario.evaluator()
        let counting = WorkBudget(steps: .max)
        let answer = try evaluate(payload, counting)
        guard answer == scenario.expected else {
            throw ValidationError("\(scenario.name): answered \(answer), expected \(scenario.expected)")
        }
        let steps = counting.used
        let nanoseconds = Self.fastest(of: repetitions) { _ = try! evaluate(payload, WorkBudget(steps: .max)) }
        // The request as dispatch evaluates it: for a schema, the payload's text parsed into a tree and then
        // validated, both drawing on one budget; for filters, the text matched without a tree.
        let request: (WorkBudget) throws -> Bool
        if let evaluateText = scenario.textEvaluator() {
            guard try evaluateText(text, WorkBudget(steps: .max)) == scenario.expected else {
                throw ValidationError("\(scenario.name): the text matcher disagrees with the tree matcher")
            }
            request = { budget in try evaluateText(text, budget) }
        } else {
            request = { budget in try evaluate(try JSONValue(parsing: text, budget: budget), budget) }
        }
        let requestCounting = WorkBudget(steps: .max)
        _ = try request(requestCounting)
        let withinBudget = (try? request(WorkBudget(steps: budget))) != nil
        // What the request costs under the budget: the whole evaluation, or the work until the budget stopped it.
        let budgeted = Self.fastest(of: repetitions) { _ = try? request(WorkBudget(steps: budget)) }
        let fields: [(String, String)] = [
            ("case", "\"\(scenario.name)\""), ("kind", "\"\(scenario.kind)\""), ("bytes", "\(text.count)"),
            ("steps", "\(steps)"), ("cpu_ms", String(format: "%.2f", Double(nanoseconds) / 1e6)),
            ("ns_per_step", String(format: "%.2f", Double(nanoseconds) / Double(max(steps, 1)))),
            ("parse_ms", String(format: "%.2f", Double(parseNanoseconds) / 1e6)),
            ("parse_steps", "\(parseBudget.used)"),
            ("parse_ns_per_step", String(format: "%.2f", Double(parseNanoseconds) / Double(max(parseBudget.used, 1)))),
            ("request_steps", "\(requestCounting.used)"), ("within_budget", "\(withinBudget)"),
            ("budget_cpu_ms", String(format: "%.2f", Double(budgeted) / 1e6)),
        ]
        print("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
    }

    /// The least CPU time of this thread, in nanoseconds, that `body` took over `count` calls.
    static func fastest(of count: Int, _ body: () -> Void) -> UInt64 {
        var best = UInt64.max
        for _ in 0..<max(count, 1) {
            let started = threadCPUTime()
            body()
            best = min(best, threadCPUTime() - started)
        }
        return best
    }

    private static func threadCPUTime() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
