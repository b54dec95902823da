import Foundation
import Inlet

/// A dispatch's `deliver_at` (RFC 3339) or `delay_ms`: when its runs may start at the earliest.
struct DeliveryTime {
    var deliverAt: Date?
    var delayMilliseconds: Int64?

    /// The longest delay a dispatch may ask for: 30 days, either way it is given.
    static let maximumDelayMilliseconds: Int64 = 2_592_000_000

    /// Reads both fields; asking for both, a malformed time or one too far ahead become issues of the request.
    static func read(_ reader: inout ObjectReader, now: Date = Date()) -> DeliveryTime {
        var delivery = DeliveryTime()
        if let text = reader.string("deliver_at") {
            if let date = Timestamp.date(text) {
                if date.timeIntervalSince(now) * 1000 > Double(maximumDelayMilliseconds) {
                    reader.issue("deliver_at", "must be at most 30 days ahead")
                } else {
                    delivery.deliverAt = date
                }
            } else {
                reader.issue(
                    "deliver_at", "must be an RFC 3339 date-time such as 2026-11-26T15:37:07Z", keyword: "format")
            }
        }
        if let delay = reader.integer("delay_ms", range: 0...Int(maximumDelayMilliseconds)) {
            delivery.delayMilliseconds = Int64(delay)
        }
        if reader.object["deliver_at"] != nil, reader.object["delay_ms"] != nil {
            reader.issue("delay_ms", "cannot be combined with deliver_at; give one of them")
        }
        return delivery
    }
}
