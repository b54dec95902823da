/// A `wildcard` pattern: `*` matches any run of characters (including none), `\*` is a literal star and
/// `\\` a literal backslash. Matching is case-sensitive and byte-exact.
struct WildcardPattern: Hashable, Sendable {
    /// The source text, as written in the pattern.
    let text: String
    /// Literal runs between stars; `segments.count == starCount + 1`.
    private let segments: [[UInt8]]

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
    }

    static func == (lhs: WildcardPattern, rhs: WildcardPattern) -> Bool { utf8Equal(lhs.text, rhs.text) }
    func hash(into hasher: inout Hasher) { hasher.combine(TextKey(text)) }

    func matches(_ candidate: String) -> Bool {
        var candidate = candidate
        return candidate.withUTF8 { matches(bytes: $0) }
    }

    private func matches(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let first = segments[0]
        guard bytes.count >= first.count, bytes[0..<first.count].elementsEqual(first) else { return false }
        if segments.count == 1 { return bytes.count == first.count }
        let last = segments[segments.count - 1]
        guard bytes.count - first.count >= last.count,
            bytes[(bytes.count - last.count)...].elementsEqual(last)
        else { return false }
        // Middle segments: leftmost occurrence is always the best choice between stars (greedy is optimal).
        var position = first.count
        let end = bytes.count - last.count
        for segment in segments[1..<(segments.count - 1)] {
            guard let found = Self.find(segment, in: bytes, from: position, to: end) else { return false }
            position = found + segment.count
        }
        return true
    }

    private static func find(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, from: Int, to end: Int)
        -> Int?
    {
        guard !needle.isEmpty else { return from }
        guard end - from >= needle.count else { return nil }
        var start = from
        while start + needle.count <= end {
            if haystack[start] == needle[0], haystack[start..<(start + needle.count)].elementsEqual(needle) {
                return start
            }
            start += 1
        }
        return nil
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
