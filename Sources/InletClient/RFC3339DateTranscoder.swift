import Foundation
import OpenAPIRuntime

/// Inlet's timestamps: RFC 3339 in UTC, with whole seconds (`2026-11-26T15:37:07Z`) on most fields and milliseconds
/// on run attempts (`2026-11-26T15:37:07.125Z`).
///
/// The runtime's ISO 8601 transcoders read only one of the two forms; this one reads both, and writes whole seconds
/// unless the date has a fraction of a second.
public struct RFC3339DateTranscoder: DateTranscoder {
    public init() {}

    public func encode(_ date: Date) throws -> String {
        let wholeSeconds = date.timeIntervalSince1970.rounded(.down) == date.timeIntervalSince1970
        return try (wholeSeconds ? Self.seconds : Self.milliseconds).encode(date)
    }

    public func decode(_ text: String) throws -> Date {
        if let date = try? Self.seconds.decode(text) { return date }
        return try Self.milliseconds.decode(text)
    }

    private static let seconds = ISO8601DateTranscoder.iso8601
    private static let milliseconds = ISO8601DateTranscoder.iso8601WithFractionalSeconds
}
