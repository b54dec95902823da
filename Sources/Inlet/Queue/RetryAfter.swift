/// A target's `Retry-After` response header (RFC 9110 §10.2.3), as a delay from now.
///
/// Accepted forms: delay-seconds (`120`) and the preferred HTTP-date form, IMF-fixdate
/// (`Sun, 06 Nov 1994 08:49:37 GMT`). A date in the past means no delay. The obsolete RFC 850 and
/// asctime date forms are not accepted; such a header is ignored and normal backoff applies.
public struct RetryAfter: Sendable, Hashable {
    /// How long the target asked to wait; never negative.
    public let delay: Duration

    public init(delay: Duration) {
        self.delay = max(delay, .zero)
    }

    /// Parses a header value; `nil` if it is neither form. `now` is the current time in Unix seconds.
    public init?(headerValue: String, now: Int64) {
        let text = headerValue.trimmingASCIIWhitespace()
        guard !text.isEmpty else { return nil }
        if text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // Too many digits for Int64 is simply "very long"; the backoff caps it.
            self.init(delay: .seconds(Int64(text) ?? .max))
        } else if let date = Self.parseIMFFixdate(text) {
            let (seconds, overflow) = date.subtractingReportingOverflow(now)
            self.init(delay: overflow ? .zero : .seconds(seconds))
        } else {
            return nil
        }
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    /// Unix seconds of an IMF-fixdate such as `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func parseIMFFixdate(_ text: some StringProtocol) -> Int64? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0].count == 4, parts[0].hasSuffix(","),
            weekdays.contains(String(parts[0].dropLast())), parts[5] == "GMT",
            parts[1].count == 2, let day = Int64(parts[1]),
            let monthIndex = months.firstIndex(of: String(parts[2])),
            parts[3].count == 4, let year = Int64(parts[3])
        else { return nil }
        let time = parts[4].split(separator: ":", omittingEmptySubsequences: false)
        guard time.count == 3, time.allSatisfy({ $0.count == 2 }),
            let hour = Int64(time[0]), let minute = Int64(time[1]), let second = Int64(time[2]),
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
            (1...daysInMonth(monthIndex + 1, year: year)).contains(day)
        else { return nil }
        let days = daysFromCivil(year: year, month: Int64(monthIndex + 1), day: day)
        return days * 86_400 + hour * 3_600 + minute * 60 + second
    }

    static func daysInMonth(_ month: Int, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
