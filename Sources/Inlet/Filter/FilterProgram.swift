/// A compiled pattern: its leaf fields and the alternatives (branches) they form.
///
/// `$or` and leaves that allow `exists: false` next to other conditions are expanded into branches; the
/// pattern matches when any branch does. Within a branch every `required` field needs a matching leaf value
/// and every `absent` field needs no leaf value, all array-consistent with each other.
struct FilterProgram: Sendable {
    var fields: [FilterField]
    var branches: [FilterBranch]
}

/// One leaf of a pattern: a path and the ORed conditions on it.
struct FilterField: Sendable {
    /// Path segments (dotted keys split at dots); for a header, the one header name.
    var segments: [String]
    var isHeader: Bool
    /// The path as users write it: `detail.amount`, or `$headers.x-github-event`.
    var path: String
    /// JSON pointer of the leaf array in the pattern.
    var pointer: String
    /// The leaf array as written, for explanations.
    var source: JSONValue
    /// Positive conditions (everything but `exists: false`).
    var conditions: [FilterCondition]
    /// Whether `{"exists": false}` is one of the leaf's alternatives.
    var allowsAbsence: Bool
    /// Identifier of `segments` in the ``FilterPaths`` the program is matched with.
    var pathID: Int32 = -1
    /// Whether checking a string takes time in its length rather than the pattern's (wildcards, case-insensitive
    /// forms, address parsing, exclusion lists): the work budget then counts the string's bytes.
    var scansText = false
    /// The conditions' ``FilterCondition/textScans`` added up: the work budget counts a step per byte of a
    /// string for each.
    var textScans = 0

    func matches(_ value: EventScalar) -> Bool {
        for condition in conditions where condition.matches(value) { return true }
        return false
    }
}

/// One alternative of a pattern, as indices into ``FilterProgram/fields``.
struct FilterBranch: Sendable {
    var required: [Int32]
    var absent: [Int32]
}
