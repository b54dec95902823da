import InletStore
import Testing

/// Which `traceparent` values Inlet keeps (W3C Trace Context, level 1): anything else is dropped, never stored.
@Suite struct TraceContextTests {
    @Test(arguments: [
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
        // A later version may append fields after a dash.
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
    ])
    func validValuesAreKept(_ value: String) {
        #expect(TraceContext.isValid(value))
    }

    @Test(arguments: [
        "", "00", "garbage",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper-case hex
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // all-zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // all-zero parent id
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // version ff is invalid
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",  // version 00 has exactly four fields
        "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",  // dashes misplaced
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
    ])
    func invalidValuesAreDropped(_ value: String) {
        #expect(!TraceContext.isValid(value))
    }

    /// Without a tracer (the default), the current trace is the one the request carried, if it was valid.
    @Test func withoutATracerTheIncomingValueIsTheCurrentOne() async {
        let value = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        #expect(TraceContext.current == nil)
        #expect(await TraceContext.withIncoming(value) { TraceContext.current } == value)
        #expect(await TraceContext.withIncoming("00-bad") { TraceContext.current } == nil)
        #expect(await TraceContext.withIncoming(nil) { TraceContext.current } == nil)
    }
}
