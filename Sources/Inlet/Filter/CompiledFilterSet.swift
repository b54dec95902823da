/// Many filter patterns compiled into one immutable matcher that returns the ids of all matching patterns.
///
/// Matching walks the event once through a trie of every pattern path, then finds candidate patterns through
/// a hash index of exact values and prefixes (see ``FilterIndex``), so its cost follows the event and the
/// patterns it can match, not the number of patterns: with 10,000 patterns on different values of one field,
/// an event touches only the patterns whose value it carries. Safe to share between concurrent requests.
public struct CompiledFilterSet<ID: Hashable & Sendable>: Sendable {
    private let ids: [ID]
    private let fields: [FilterField]
    private let branches: [FilterBranch]
    /// Index into `ids` of each branch's pattern; a pattern's branches are contiguous.
    private let owners: [Int32]
    private let paths: FilterPaths
    private let index: FilterIndex

    public init(_ patterns: some Sequence<(id: ID, pattern: FilterPattern)>) {
        var ids: [ID] = []
        var fields: [FilterField] = []
        var branches: [FilterBranch] = []
        var owners: [Int32] = []
        var paths = FilterPaths()
        for (id, pattern) in patterns {
            let offset = Int32(fields.count)
            for var field in pattern.program.fields {
                field.pathID = paths.id(for: field)
                fields.append(field)
            }
            for branch in pattern.program.branches {
                branches.append(
                    FilterBranch(
                        required: branch.required.map { $0 + offset }, absent: branch.absent.map { $0 + offset }))
                owners.append(Int32(ids.count))
            }
            ids.append(id)
        }
        var index = FilterIndex(pathCount: paths.count)
        for (position, branch) in branches.enumerated() {
            index.add(branch: Int32(position), required: branch.required.map { fields[Int($0)] })
        }
        self.ids = ids
        self.fields = fields
        self.branches = branches
        self.owners = owners
        self.paths = paths
        self.index = index
    }

    /// Steps counted per leaf value at a pattern path: flattening the event and looking each value up in the
    /// index costs 100–400 ns a leaf, and a step should cost about the same CPU whichever evaluator takes it.
    static var stepsPerLeaf: Int { 64 }

    /// The number of patterns in the set.
    public var count: Int { ids.count }

    /// The ids of the patterns that match the event (and its headers), in the order the patterns were given.
    public func matches(_ event: JSONValue, headers: [String: String] = [:]) -> [ID] {
        var meter = StepMeter(budget: nil)
        return (try? matches(FlattenedEvent(event, headers: headers, paths: paths), meter: &meter)) ?? []
    }

    /// ``matches(_:headers:)`` drawing its work from `budget` (shared with the request's schema validation):
    /// throws ``WorkBudgetError`` when the budget runs out or the work is cancelled.
    public func matches(_ event: JSONValue, headers: [String: String] = [:], budget: WorkBudget)
        throws(WorkBudgetError) -> [ID]
    {
        var meter = StepMeter(budget: budget)
        let flattened = FlattenedEvent(event, headers: headers, paths: paths)
        let result = try matches(flattened, meter: &meter)
        try meter.report()
        return result
    }

    /// ``matches(json:headers:limits:)`` drawing its work from `budget`: throws the ``JSONParseError`` of an
    /// invalid text, or ``WorkBudgetError`` when the budget runs out or the work is cancelled.
    public func matches(
        json: some Collection<UInt8>, headers: [String: String] = [:], limits: JSONParseLimits = .default,
        budget: WorkBudget
    ) throws -> [ID] {
        var meter = StepMeter(budget: budget)
        // Reading the text: one step per 16 bytes, whichever path reads it.
        try meter.count(json.count >> 4)
        let fast: Result<[ID], WorkBudgetError>?? = json.withContiguousStorageIfAvailable { bytes in
            guard let event = scanned(bytes, headers: headers, limits: limits) else { return nil }
            return Result { () throws(WorkBudgetError) in try matches(event, meter: &meter) }
        }
        let result: [ID]
        if let fast, let fast {
            result = try fast.get()
        } else {
            let event = try JSONValue(parsing: json, limits: limits)
            result = try matches(FlattenedEvent(event, headers: headers, paths: paths), meter: &meter)
        }
        try meter.report()
        return result
    }

    /// The ids of the patterns that match the event given as JSON text, in the order the patterns were given.
    ///
    /// Exactly `matches(try JSONValue(parsing: json, limits: limits), headers: headers)`, errors included, but
    /// without building the tree: one pass over the bytes materialises only the values at paths some pattern
    /// names and skips (while still validating) everything else. Texts the pass leaves to the tree parser
    /// (invalid JSON, duplicate keys) go through it, so the result and the error are the tree parser's; so do
    /// collections without contiguous storage.
    public func matches(
        json: some Collection<UInt8>, headers: [String: String] = [:], limits: JSONParseLimits = .default
    ) throws(JSONParseError) -> [ID] {
        let fast: [ID]?? = json.withContiguousStorageIfAvailable { bytes in
            scanningMatches(bytes, headers: headers, limits: limits)
        }
        if let fast, let fast { return fast }
        return matches(try JSONValue(parsing: json, limits: limits), headers: headers)
    }

    /// The byte-level path of ``matches(json:headers:limits:)``; `nil` when the text is left to the tree parser.
    func scanningMatches(_ bytes: UnsafeBufferPointer<UInt8>, headers: [String: String], limits: JSONParseLimits)
        -> [ID]?
    {
        guard let event = scanned(bytes, headers: headers, limits: limits) else { return nil }
        var meter = StepMeter(budget: nil)
        return (try? matches(event, meter: &meter)) ?? []
    }

    /// The event flattened by the byte-level scan; `nil` when the text is left to the tree parser.
    private func scanned(_ bytes: UnsafeBufferPointer<UInt8>, headers: [String: String], limits: JSONParseLimits)
        -> FlattenedEvent?
    {
        try? FlattenedEvent(scanning: bytes, headers: headers, paths: paths, limits: limits)
    }

    /// The matching patterns' ids, counting work on `meter`: ``stepsPerLeaf`` per leaf value, a step per
    /// candidate branch, and the steps of each branch's evaluation (``BranchEvaluator/matches(_:meter:)``).
    /// Without a budget the meter only counts and never throws.
    private func matches(_ flattened: FlattenedEvent, meter: inout StepMeter) throws(WorkBudgetError) -> [ID] {
        try meter.count(flattened.leaves.count &* Self.stepsPerLeaf)
        var candidates = index.unanchored
        var previousPath: Int32 = -1
        for leaf in flattened.leaves {
            index.collect(leaf, isFirstAtPath: leaf.path != previousPath, into: &candidates)
            previousPath = leaf.path
        }
        guard !candidates.isEmpty else { return [] }
        try meter.count(candidates.count)
        if candidates.count > 1 { candidates.sort() }
        let evaluator = BranchEvaluator(event: flattened, fields: fields)
        var result: [ID] = []
        var lastMatchedOwner: Int32 = -1
        var previous: Int32 = -1
        for branch in candidates where branch != previous {
            previous = branch
            let owner = owners[Int(branch)]
            guard owner != lastMatchedOwner else { continue }
            if try evaluator.matches(branches[Int(branch)], meter: &meter) {
                result.append(ids[Int(owner)])
                lastMatchedOwner = owner
            }
        }
        return result
    }
}
