/// How much work evaluating one event against tenant-supplied schemas and filters may take, and the way to stop
/// that work when nobody waits for it any more.
///
/// One budget serves one request: pass the same instance to the payload's parse (``JSONValue/init(parsing:limits:budget:)``,
/// needed only for a schema), to ``JSONSchema/validate(_:budget:)`` and to ``CompiledFilterSet/matches(_:headers:budget:)``
/// (or the JSON-text form) so that they draw on one allowance.
///
/// A *step* is one elementary operation of the evaluators, weighted so that each costs about the same CPU, 2–6 ns
/// in a release build: a regex thread visiting one instruction at one input position; a byte of a string read by a
/// wildcard, case-insensitive, address or exclusion condition (once per exclusion); 12 per subschema applied and
/// per keyword it holds; 128 per value hashed by `uniqueItems`; for the tree parser, 3 per 16 bytes of text, 24 per
/// value and 96 more per object member; 48 per regex evaluation on top of its own steps;
/// 64 per event value at a filter path and 64 per leaf the array-consistency search looks at; one per JSON value
/// compared and per 16 bytes of a string or number compared or of JSON text scanned. `inlet-bench work`
/// (scripts/bench-work) measures the CPU per step of every evaluator. Evaluators count steps locally and report
/// them every ``checkpointInterval`` steps or so, which is also when they look at cancellation: the current
/// task's `Task.isCancelled`, and the caller's `isCancelled` closure if one was given.
///
/// Not `Sendable`: a budget belongs to the one task evaluating the request. To cancel from elsewhere, give it an
/// `isCancelled` closure that reads state the other side may set (an atomic flag, say), or cancel the task.
public final class WorkBudget {
    /// The default allowance, calibrated with `inlet-bench work` (docs/reliability.md): at 2–6 ns a step it stops
    /// every hostile corpus case at 1 MiB within 13–34 ms of evaluation, and it lets an honest 1 MiB string against
    /// a simple pattern (6.4 M steps) or 100,000 objects checked by `items`, `required` and `enum` (7.4 M) through.
    /// Honest payloads whose evaluation costs more CPU than that are refused (422 `work_budget_exceeded`):
    /// `uniqueItems` over tens of thousands of objects, for one.
    public static let defaultSteps = 8_000_000

    /// How often evaluators report their steps and check for cancellation, in steps.
    static let checkpointInterval = 4096

    /// The allowance, in steps.
    public let limit: Int
    /// Steps reported so far.
    public private(set) var used = 0
    private let isCancelled: (@Sendable () -> Bool)?

    /// A budget of `steps` steps; `isCancelled`, when given, is asked at every checkpoint whether to stop.
    public init(steps: Int = WorkBudget.defaultSteps, isCancelled: (@Sendable () -> Bool)? = nil) {
        self.limit = steps
        self.isCancelled = isCancelled
    }

    /// Records `steps` of work and throws when the allowance is spent or the work was cancelled.
    public func charge(_ steps: Int) throws(WorkBudgetError) {
        used &+= steps
        if used > limit {
            throw WorkBudgetError(
                code: .exhausted, message: "evaluating this event exceeded the work budget of \(limit) steps")
        }
        if Task.isCancelled || isCancelled?() == true {
            throw WorkBudgetError(code: .cancelled, message: "evaluating this event was cancelled")
        }
    }
}

/// Why an evaluation stopped before its answer: it needed more steps than its ``WorkBudget`` allowed, or it was
/// cancelled. Neither says anything about whether the event is valid or matches.
public struct WorkBudgetError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The evaluation needed more than ``WorkBudget/limit`` steps.
        case exhausted = "work_budget_exceeded"
        /// The task was cancelled, or the budget's `isCancelled` said to stop.
        case cancelled = "evaluation_cancelled"
    }

    public let code: Code
    public let message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// Steps counted by one evaluator and handed to its ``WorkBudget`` in batches, so that hot loops only add to an
/// integer. Without a budget it only counts.
struct StepMeter {
    let budget: WorkBudget?
    /// Every step counted, reported or not (tests read it).
    private(set) var total = 0
    private var unreported = 0

    init(budget: WorkBudget?) { self.budget = budget }

    /// Counts `steps`; at a checkpoint, reports them to the budget, which may throw.
    @inline(__always)
    mutating func count(_ steps: Int) throws(WorkBudgetError) {
        total &+= steps
        unreported &+= steps
        if unreported >= WorkBudget.checkpointInterval { try report() }
    }

    /// Reports the steps not yet reported.
    mutating func report() throws(WorkBudgetError) {
        guard let budget, unreported > 0 else { return }
        let steps = unreported
        unreported = 0
        try budget.charge(steps)
    }
}
