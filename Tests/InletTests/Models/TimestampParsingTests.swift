import Foundation
import Testing

@testable import Inlet

@Suite struct TimestampParsingTests {
    @Test func parsesRFC3339WithOffsetsAndFractions() throws {
        let utc = try #require(Timestamp.date("2026-11-26T15:37:07Z"))
        #expect(Timestamp.string(utc) == "2026-11-26T15:37:07Z")
        #expect(Timestamp.date("2026-11-26T16:37:07+01:00") == utc)
        #expect(Timestamp.date("2026-11-26t10:07:07-05:30") == utc)
        let fractional = try #require(Timestamp.date("2026-11-26T15:37:07.250Z"))
        #expect(abs(fractional.timeIntervalSince(utc) - 0.25) < 0.000_1)
    }

    @Test(arguments: [
        "", "2026-11-26", "2026-11-26 15:37:07Z", "2026-02-30T00:00:00Z", "2026-11-26T24:00:00Z",
        "2026-11-26T15:37:07", "2026-11-26T15:37:07.Z", "2026-11-26T15:37:07+0100", "tomorrow",
        "2026-11-26T15:37:07Z ",
    ])
    func refusesAnythingElse(_ text: String) {
        #expect(Timestamp.date(text) == nil)
    }
}
