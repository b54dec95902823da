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

    /// The number of patterns in the set.
    public var count: Int { ids.count }

    /// The ids of the patterns that match the event (and its headers), in the order the patterns were given.
    public func matches(_ event: JSONValue, headers: [String: String] = [:]) -> [ID] {
        matches(FlattenedEvent(event, headers: headers, paths: paths))
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
        guard let event = try? FlattenedEvent(scanning: bytes, headers: headers, paths: paths, limits: limits) else {
            return nil
        }
        return matches(event)
    }

    private func matches(_ flattened: FlattenedEvent) -> [ID] {
        var candidates = index.unanchored
        var previousPath: Int32 = -1
        for leaf in flattened.leaves {
            index.collect(leaf, isFirstAtPath: leaf.path != previousPath, into: &candidates)
            previousPath = leaf.path
        }
        guard !candidates.isEmpty else { return [] }
        if candidates.count > 1 { candidates.sort() }
        let evaluator = BranchEvaluator(event: flattened, fields: fields)
        var result: [ID] = []
        var lastMatchedOwner: Int32 = -1
        var previous: Int32 = -1
        for branch in candidates where branch != previous {
            previous = branch
            let owner = owners[Int(branch)]
            guard owner != lastMatchedOwner else { continue }
            if evaluator.matches(branches[Int(branch)]) {
                result.append(ids[Int(owner)])
                lastMatchedOwner = owner
            }
        }
        return result
    }
}
