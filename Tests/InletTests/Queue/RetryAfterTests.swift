import Testing

@testable import Inlet

@Suite struct RetryAfterTests {
    /// 1994-11-06T08:49:37Z, the example date of RFC 9110.
    static let rfcExample: Int64 = 784_111_777

    @Test(arguments: [
        ("120", Duration.seconds(120)), ("0", .zero), (" 5 ", .seconds(5)),
        ("99999999999999999999999", .seconds(Int64.max)),
    ])
    func delaySeconds(_ value: String, expected: Duration) throws {
        #expect(try #require(RetryAfter(headerValue: value, now: 0)).delay == expected)
    }

    @Test func httpDate() throws {
        let value = "Sun, 06 Nov 1994 08:49:37 GMT"
        #expect(RetryAfter.parseIMFFixdate(value) == Self.rfcExample)
        #expect(try #require(RetryAfter(headerValue: value, now: Self.rfcExample - 90)).delay == .seconds(90))
        #expect(try #require(RetryAfter(headerValue: value, now: Self.rfcExample + 90)).delay == .zero)
        #expect(RetryAfter.parseIMFFixdate("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(RetryAfter.parseIMFFixdate("Tue, 29 Feb 2000 23:59:59 GMT") == 951_868_799)
        #expect(RetryAfter.parseIMFFixdate("Thu, 26 Nov 2026 15:37:07 GMT") == 1_795_707_427)
    }

    @Test(arguments: [
        "", "soon", "-5", "1.5", "5s", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
        "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 6 Nov 1994 08:49:37 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT",
    ])
    func unparseableValuesAreIgnored(_ value: String) {
        #expect(RetryAfter(headerValue: value, now: 0) == nil)
    }
}
