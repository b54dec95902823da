import Foundation

/// RFC 3339 UTC timestamps: `2026-11-26T15:37:07Z`, or with milliseconds when `fractional`.
public enum Timestamp {
    public static func string(_ date: Date, fractional: Bool = false) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let base = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        guard fractional else { return base + "Z" }
        let milliseconds = min(999, Int(((interval - interval.rounded(.down)) * 1000).rounded(.down)))
        return base + String(format: ".%03dZ", milliseconds)
    }
}
