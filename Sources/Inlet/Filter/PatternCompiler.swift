/// Turns a pattern's JSON into a ``FilterProgram``, validating it as it goes.
struct PatternCompiler {
    /// Names that cannot be field names inside `$or` branches: matcher names and words the reference engine
    /// reserves, so that a misplaced matcher is an error rather than a field that never matches.
    static let reservedInOr: Set<String> = [
        "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard", "numeric", "cidr",
        "=", "<", "<=", ">", ">=", "regex", "not-wildcard", "not-equals-ignore-case", "date-after",
        "date-on-or-after", "date-before", "date-on-or-before", "in-date-range", "ip-address-in-range",
        "ip-address-not-in-range",
    ]

    /// Fields ANDed with a list of `$or` groups, each group ORing sub-conjunctions.
    private struct Conjunction {
        var fields: [Int32] = []
        var groups: [[Conjunction]] = []
    }

    let limits: FilterPatternLimits
    private var fields: [FilterField] = []
    private var weight = 0

    init(limits: FilterPatternLimits) { self.limits = limits }

    mutating func compile(_ pattern: JSONValue) throws(FilterPatternError) -> FilterProgram {
        guard case .object(let object) = pattern else {
            throw FilterPatternError("a pattern must be a JSON object, not \(pattern.typeName)", at: "")
        }
        let root = try conjunction(object, prefix: [], pointer: "", depth: 1, insideOr: false)
        var branches: [FilterBranch] = []
        for combination in try expand(root) {
            try split(overridingDuplicates(combination), into: &branches)
        }
        return FilterProgram(fields: fields, branches: branches)
    }

    private mutating func conjunction(
        _ object: JSONObject, prefix: [String], pointer: String, depth: Int, insideOr: Bool
    ) throws(FilterPatternError) -> Conjunction {
        guard !object.isEmpty else { throw FilterPatternError("an object in a pattern may not be empty", at: pointer) }
        guard depth <= limits.maxDepth else {
            throw FilterPatternError("pattern nesting is deeper than \(limits.maxDepth) levels", at: pointer)
        }
        var result = Conjunction()
        for (key, value) in object {
            let keyPointer = JSONPointer.append(pointer, key)
            if key == "$or" {
                result.groups.append(try orGroup(value, prefix: prefix, pointer: keyPointer, depth: depth))
                continue
            }
            if key == "$headers", prefix.isEmpty {
                try headers(value, pointer: keyPointer, into: &result)
                continue
            }
            if insideOr, Self.reservedInOr.contains(key) {
                throw FilterPatternError(
                    "\"\(key)\" is a matcher name and cannot be used as a field name inside $or", at: keyPointer)
            }
            let path = prefix + key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            switch value {
            case .object(let nested):
                let inner = try conjunction(
                    nested, prefix: path, pointer: keyPointer, depth: depth + 1, insideOr: insideOr)
                result.fields += inner.fields
                result.groups += inner.groups
            case .array:
                result.fields.append(
                    try field(
                        value, segments: path, isHeader: false, display: path.joined(separator: "."),
                        pointer: keyPointer))
            default:
                throw FilterPatternError(
                    "\"\(key)\" must be an object or a leaf array, not a \(value.typeName)", at: keyPointer)
            }
        }
        return result
    }

    private mutating func orGroup(_ value: JSONValue, prefix: [String], pointer: String, depth: Int)
        throws(FilterPatternError) -> [Conjunction]
    {
        guard case .array(let alternatives) = value, alternatives.count >= 2 else {
            throw FilterPatternError("$or takes an array of at least two non-empty objects", at: pointer)
        }
        var group: [Conjunction] = []
        for (index, alternative) in alternatives.enumerated() {
            let alternativePointer = JSONPointer.append(pointer, index)
            guard case .object(let object) = alternative else {
                throw FilterPatternError(
                    "$or takes an array of objects, not \(alternative.typeName)", at: alternativePointer)
            }
            group.append(
                try conjunction(object, prefix: prefix, pointer: alternativePointer, depth: depth + 1, insideOr: true))
        }
        return group
    }

    private mutating func headers(_ value: JSONValue, pointer: String, into result: inout Conjunction)
        throws(FilterPatternError)
    {
        guard case .object(let headers) = value, !headers.isEmpty else {
            throw FilterPatternError("$headers takes a non-empty object of header name to leaf array", at: pointer)
        }
        for (name, leaf) in headers {
            let namePointer = JSONPointer.append(pointer, name)
            guard !name.isEmpty, !name.unicodeScalars.contains(where: { $0.properties.isUppercase }) else {
                throw FilterPatternError(
                    "header names are matched in lower case; write \"\(name.lowercased())\"",
                    at: namePointer)
            }
            guard case .array = leaf else {
                throw FilterPatternError(
                    "a header condition must be a leaf array, not a \(leaf.typeName)",
                    at: namePointer)
            }
            result.fields.append(
                try field(leaf, segments: [name], isHeader: true, display: "$headers.\(name)", pointer: namePointer))
        }
    }

    private mutating func field(
        _ leaf: JSONValue, segments: [String], isHeader: Bool, display: String, pointer: String
    ) throws(FilterPatternError) -> Int32 {
        let compiled = try CompiledLeaf(leaf, at: pointer)
        weight += compiled.weight
        guard weight <= limits.maxConditions else {
            throw FilterPatternError("pattern has more than \(limits.maxConditions) conditions", at: pointer)
        }
        var field = FilterField(
            segments: segments, isHeader: isHeader, path: display, pointer: pointer, source: leaf,
            conditions: compiled.conditions, allowsAbsence: compiled.allowsAbsence)
        field.scansText = compiled.conditions.contains { $0.scansText }
        field.textScans = compiled.conditions.reduce(0) { $0 + $1.textScans }
        fields.append(field)
        return Int32(fields.count - 1)
    }

    /// Distributes AND over the `$or` groups: every combination of one alternative per group.
    private func expand(_ conjunction: Conjunction) throws(FilterPatternError) -> [[Int32]] {
        var combinations: [[Int32]] = [conjunction.fields]
        for group in conjunction.groups {
            var options: [[Int32]] = []
            for alternative in group { options += try expand(alternative) }
            var next: [[Int32]] = []
            for combination in combinations {
                for option in options {
                    next.append(combination + option)
                    guard next.count <= limits.maxAlternatives else { throw tooManyAlternatives }
                }
            }
            combinations = next
        }
        return combinations
    }

    /// A path named twice in one alternative (`{"a.b": …, "a": {"b": …}}`, or a field and the same field in
    /// an `$or` branch) keeps only its last leaf in document order, as the reference engine does. Field indices
    /// are assigned in document order.
    private func overridingDuplicates(_ combination: [Int32]) -> [Int32] {
        guard combination.count > 1 else { return combination }
        var lastByPath: [PathKey: Int32] = [:]
        for index in combination {
            let field = fields[Int(index)]
            let key = PathKey(segments: field.segments.map(TextKey.init), isHeader: field.isHeader)
            lastByPath[key] = max(lastByPath[key] ?? index, index)
        }
        guard lastByPath.count < combination.count else { return combination }
        return combination.filter { index in
            let field = fields[Int(index)]
            return lastByPath[PathKey(segments: field.segments.map(TextKey.init), isHeader: field.isHeader)] == index
        }
    }

    private struct PathKey: Hashable {
        var segments: [TextKey]
        var isHeader: Bool
    }

    /// Splits a combination on leaves that allow absence next to other conditions: either a value matches,
    /// or the path has none.
    private func split(_ combination: [Int32], into branches: inout [FilterBranch]) throws(FilterPatternError) {
        var partial = [FilterBranch(required: [], absent: [])]
        for index in combination {
            let field = fields[Int(index)]
            if field.conditions.isEmpty {
                for position in partial.indices { partial[position].absent.append(index) }
            } else if !field.allowsAbsence {
                for position in partial.indices { partial[position].required.append(index) }
            } else {
                var withAbsence = partial
                for position in partial.indices { partial[position].required.append(index) }
                for position in withAbsence.indices { withAbsence[position].absent.append(index) }
                partial += withAbsence
            }
            guard branches.count + partial.count <= limits.maxAlternatives else { throw tooManyAlternatives }
        }
        branches += partial
    }

    private var tooManyAlternatives: FilterPatternError {
        FilterPatternError(
            "pattern expands to more than \(limits.maxAlternatives) alternatives ($or combinations)", at: "")
    }
}
