/// A pattern string for `equals-ignore-case` and its prefix and suffix forms.
///
/// Comparison is one Unicode scalar at a time: an event scalar matches when it equals the pattern scalar's
/// lower-case or upper-case form. Only single-scalar mappings count (the root locale's simple mappings), so
/// there is no full case folding: `ß` does not match `SS`, and `İ` matches only itself.
///
/// A pattern containing a character outside the Basic Multilingual Plane (an emoji, say) matches no string, as
/// in the reference engine, which case-maps such characters one UTF-16 surrogate at a time and so never
/// reproduces them. Agreeing with the reference keeps filters portable between Inlet and EventBridge.
struct CaseInsensitiveText: Hashable, Sendable {
    let text: String
    private let lower: [Unicode.Scalar]
    private let upper: [Unicode.Scalar]
    private let matchesNothing: Bool

    init(_ text: String) {
        self.text = text
        var lower: [Unicode.Scalar] = []
        var upper: [Unicode.Scalar] = []
        for scalar in text.unicodeScalars {
            lower.append(Self.single(scalar.properties.lowercaseMapping) ?? scalar)
            upper.append(Self.single(scalar.properties.uppercaseMapping) ?? scalar)
        }
        self.lower = lower
        self.upper = upper
        self.matchesNothing = text.unicodeScalars.contains { $0.value > 0xFFFF }
    }

    static func == (lhs: CaseInsensitiveText, rhs: CaseInsensitiveText) -> Bool { utf8Equal(lhs.text, rhs.text) }
    func hash(into hasher: inout Hasher) { hasher.combine(TextKey(text)) }

    func equals(_ candidate: String) -> Bool {
        if matchesNothing { return false }
        var position = 0
        for scalar in candidate.unicodeScalars {
            guard position < lower.count, matches(scalar, at: position) else { return false }
            position += 1
        }
        return position == lower.count
    }

    func isPrefix(of candidate: String) -> Bool {
        if matchesNothing { return false }
        var position = 0
        for scalar in candidate.unicodeScalars {
            if position == lower.count { return true }
            guard matches(scalar, at: position) else { return false }
            position += 1
        }
        return position == lower.count
    }

    func isSuffix(of candidate: String) -> Bool {
        if matchesNothing { return false }
        var position = lower.count
        for scalar in candidate.unicodeScalars.reversed() {
            if position == 0 { return true }
            position -= 1
            guard matches(scalar, at: position) else { return false }
        }
        return position == 0
    }

    private func matches(_ scalar: Unicode.Scalar, at position: Int) -> Bool {
        scalar == lower[position] || scalar == upper[position]
    }

    private static func single(_ mapping: String) -> Unicode.Scalar? {
        var scalars = mapping.unicodeScalars.makeIterator()
        guard let first = scalars.next(), scalars.next() == nil else { return nil }
        return first
    }
}
