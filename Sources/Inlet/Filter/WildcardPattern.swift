/// A `wildcard` pattern: `*` matches any run of characters (including none), `\*` is a literal star and
/// `\\` a literal backslash. Matching is case-sensitive and byte-exact.
struct WildcardPattern: Hashable, Sendable {
    /// The source text, as written in the pattern.
    let text: String
    /// Literal runs between stars; `segments.count == starCount + 1`.
    private let segments: [[UInt8]]
    /// For each segment, its Knuth–Morris–Pratt failure function (see ``find(_:_:in:from:to:steps:)``).
    private let failures: [[Int]]

    /// Why a wildcard text is invalid, or `nil` when it is valid.
    static func validationError(_ text: String) -> String? {
        switch parse(text) {
        case .success: nil
        case .failure(let message): message.text
        }
    }

    init?(_ text: String) {
        guard case .success(let segments) = Self.parse(text) else { return nil }
        self.text = text
        self.segments = segments
        self.failures = segments.map(Self.failureFunction)
    }

    static func == (lhs: WildcardPattern, rhs: WildcardPattern) -> Bool { utf8Equal(lhs.text, rhs.text) }
    func hash(into hasher: inout Hasher) { hasher.combine(TextKey(text)) }

    func matches(_ candidate: String) -> Bool {
        var steps = 0
        return matches(candidate, steps: &steps)
    }

    /// ``matches(_:)``, adding to `steps` the bytes it compared (for tests of the linear bound).
    func matches(_ candidate: String, steps: inout Int) -> Bool {
        var candidate = candidate
        return candidate.withUTF8 { matches(bytes: $0, steps: &steps) }
    }

    private func matches(bytes: UnsafeBufferPointer<UInt8>, steps: inout Int) -> Bool {
        steps &+= segments[0].count &+ segments[segments.count - 1].count
        let first = segments[0]
        guard bytes.count >= first.count, bytes[0..<first.count].elementsEqual(first) else { return false }
        if segments.count == 1 { return bytes.count == first.count }
        let last = segments[segments.count - 1]
        guard bytes.count - first.count >= last.count,
            bytes[(bytes.count - last.count)...].elementsEqual(last)
        else { return false }
        // Middle segments: leftmost occurrence is always the best choice between stars (greedy is optimal), and
        // each search starts where the previous one ended, so the whole match reads every byte about once.
        var position = first.count
        let end = bytes.count - last.count
        for index in 1..<(segments.count - 1) {
            let segment = segments[index]
            guard let found = Self.find(segment, failures[index], in: bytes, from: position, to: end, steps: &steps)
            else {
                return false
            }
            position = found + segment.count
        }
        return true
    }

    /// The leftmost occurrence of `needle` in `haystack[from..<end]`, by Knuth–Morris–Pratt: time linear in the
    /// bytes searched, however the needle repeats itself (`aaab` in `aaaa…`).
    private static func find(
        _ needle: [UInt8], _ failure: [Int], in haystack: UnsafeBufferPointer<UInt8>, from: Int, to end: Int,
        steps: inout Int
    ) -> Int? {
        guard !needle.isEmpty else { return from }
        guard end - from >= needle.count else { return nil }
        var matched = 0
        var position = from
        while position < end {
            let byte = haystack[position]
            while matched > 0, needle[matched] != byte {
                matched = failure[matched - 1]
                steps &+= 1
            }
            steps &+= 1
            if needle[matched] == byte { matched += 1 }
            position += 1
            if matched == needle.count { return position - matched }
        }
        return nil
    }

    /// `failure[i]`: the length of the longest proper prefix of `needle[0...i]` that is also its suffix.
    private static func failureFunction(_ needle: [UInt8]) -> [Int] {
        var failure = [Int](repeating: 0, count: needle.count)
        var length = 0
        for index in needle.indices.dropFirst() {
            while length > 0, needle[length] != needle[index] { length = failure[length - 1] }
            if needle[length] == needle[index] { length += 1 }
            failure[index] = length
        }
        return failure
    }

    private struct Message: Error { let text: String }

    private static func parse(_ text: String) -> Result<[[UInt8]], Message> {
        var segments: [[UInt8]] = [[]]
        var escaping = false
        var previousWasStar = false
        for byte in text.utf8 {
            if escaping {
                guard byte == UInt8(ascii: "*") || byte == UInt8(ascii: "\\") else {
                    return .failure(Message(text: "wildcard has an invalid escape; only \\* and \\\\ are allowed"))
                }
                segments[segments.count - 1].append(byte)
                escaping = false
                previousWasStar = false
            } else if byte == UInt8(ascii: "\\") {
                escaping = true
            } else if byte == UInt8(ascii: "*") {
                guard !previousWasStar else {
                    return .failure(Message(text: "wildcard may not contain consecutive unescaped stars"))
                }
                segments.append([])
                previousWasStar = true
            } else {
                segments[segments.count - 1].append(byte)
                previousWasStar = false
            }
        }
        if escaping { return .failure(Message(text: "wildcard ends with a lone backslash")) }
        return .success(segments)
    }
}
