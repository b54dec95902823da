/// Why a filter pattern was rejected, and where: `path` is the JSON pointer of the offending part of the
/// pattern (`/detail/amount/0/numeric`), so an API can answer 422 naming it.
public struct FilterPatternError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let path: String

    public init(_ message: String, at path: String) {
        self.message = message
        self.path = path
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Bounds on the size of a compiled pattern, so that hostile patterns cannot exhaust memory or stack.
public struct FilterPatternLimits: Sendable {
    /// Leaf conditions in the whole pattern (elements of leaf arrays and of `anything-but` lists).
    public var maxConditions: Int
    /// Nesting of objects and `$or` arrays.
    public var maxDepth: Int
    /// Alternatives after expanding `$or` and `exists: false` alternatives.
    public var maxAlternatives: Int

    public init(maxConditions: Int = 10_000, maxDepth: Int = 32, maxAlternatives: Int = 1_024) {
        self.maxConditions = maxConditions
        self.maxDepth = maxDepth
        self.maxAlternatives = maxAlternatives
    }

    public static let `default` = FilterPatternLimits()
}
