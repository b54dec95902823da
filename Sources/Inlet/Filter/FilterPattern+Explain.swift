extension FilterPattern {
    /// ``explain(_:headers:)`` drawing on `budget`, for explanations a tenant asks for: 64 steps per event value
    /// at a pattern path and per array element entered, the matching's own steps, and one step per condition
    /// tried while looking for the first failure.
    public func explain(_ event: JSONValue, headers: [String: String] = [:], budget: WorkBudget)
        throws(WorkBudgetError) -> FilterExplanation
    {
        let flattened = FlattenedEvent(event, headers: headers, paths: paths)
        var meter = StepMeter(budget: budget)
        try meter.count(
            CompiledFilterSet<Int>.stepsPerLeaf &* (flattened.leaves.count &+ flattened.arrayOfNode.count) &+ 1)
        let evaluator = BranchEvaluator(event: flattened, fields: program.fields)
        for branch in program.branches {
            if try evaluator.matches(branch, meter: &meter) {
                try meter.report()
                return FilterExplanation(matched: true, failure: nil)
            }
        }
        guard let first = program.branches.first else { return FilterExplanation(matched: false, failure: nil) }
        var failureSteps = 0
        for index in first.required + first.absent {
            let field = program.fields[Int(index)]
            failureSteps &+= (field.conditions.count &+ 1) &* flattened.range(of: field.pathID).count
        }
        try meter.count(failureSteps)
        try meter.report()
        return FilterExplanation(matched: false, failure: evaluator.failure(of: first))
    }
}
