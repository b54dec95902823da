import InletStore

/// A handler whose runs always succeed. The worker runs the built-in `noop` kind inline without it; register it
/// under another kind name for a kind that should do nothing, or wrap it in tests.
public struct NoopJobHandler: JobHandler {
    public init() {}

    public func execute(_ run: ClaimedRun, context: JobExecutionContext) async -> JobOutcome {
        .succeeded()
    }
}
