/// What a job does when one of its runs executes. `http` and `noop` are built in; Swift code embedding the
/// worker registers more (`JobHandler`), and the server accepts those names when they are configured.
public struct JobKind: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// POSTs the run envelope to a URL, signed with the Standard Webhooks scheme.
    public static let http = JobKind(rawValue: "http")
    /// Succeeds at once; for tests and benchmarks.
    public static let noop = JobKind(rawValue: "noop")

    public var description: String { rawValue }

    /// Whether `name` is acceptable as a kind name: `[a-z][a-z0-9_.-]{0,63}`.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), bytes.count <= 64
        else { return false }
        return bytes.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
        }
    }
}
