import Tracing

/// The W3C trace context (`traceparent`) that Inlet keeps with events and runs, so that one trace goes from the
/// producer through dispatch and the worker to the receiver.
///
/// With tracing on, the value stored is the current span's (a dispatch's runs are children of its dispatch span);
/// with tracing off, a valid `traceparent` the request carried is stored and sent on as it came, so a producer's
/// trace still reaches the receiver through an Inlet that records no spans of its own.
public enum TraceContext {
    /// A `traceparent` header's value, when it is one (version `00`, or a later version's first four fields):
    /// lower-case hex, non-zero trace and parent ids. Anything else is ignored, never stored.
    public static func isValid(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard bytes.count == 55 || (bytes.count > 55 && bytes[55] == UInt8(ascii: "-")) else { return false }
        guard bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-") else {
            return false
        }
        func isHex(_ range: Range<Int>) -> Bool {
            bytes[range].allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
        }
        func isZero(_ range: Range<Int>) -> Bool { bytes[range].allSatisfy { $0 == 0x30 } }
        guard isHex(0..<2), isHex(3..<35), isHex(36..<52), isHex(53..<55) else { return false }
        if bytes[0] == UInt8(ascii: "f"), bytes[1] == UInt8(ascii: "f") { return false }
        if bytes[0] == 0x30, bytes[1] == 0x30, bytes.count != 55 { return false }
        return !isZero(3..<35) && !isZero(36..<52)
    }

    private enum IncomingKey: ServiceContextKey {
        typealias Value = String
        static var nameOverride: String? { "inlet.incoming-traceparent" }
    }

    /// Runs `body` with `header` (a request's `traceparent`) remembered as the trace to continue when tracing
    /// is off; an invalid or missing header is ignored.
    public static func withIncoming<T>(_ header: String?, _ body: () async throws -> T) async rethrows -> T {
        guard let header, isValid(header) else { return try await body() }
        var context = ServiceContext.current ?? .topLevel
        context[IncomingKey.self] = header
        return try await ServiceContext.withValue(context) { try await body() }
    }

    /// The `traceparent` of the current span, else the one the current request carried (``withIncoming(_:_:)``).
    public static var current: String? {
        guard let context = ServiceContext.current else { return nil }
        if let injected = traceparent(of: context) { return injected }
        return context[IncomingKey.self]
    }

    /// The `traceparent` that the tracer writes for `context` (none when tracing is off).
    public static func traceparent(of context: ServiceContext) -> String? {
        var carrier = TraceHeaders()
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: TraceHeaders.Injector())
        guard let value = carrier.traceparent, isValid(value) else { return nil }
        return value
    }

    /// A context whose span is the remote parent `traceparent` names (for the worker, continuing a stored
    /// trace); the current context unchanged when tracing is off or the value is not one.
    public static func context(continuing traceparent: String?) -> ServiceContext {
        var context = ServiceContext.current ?? .topLevel
        guard let traceparent, isValid(traceparent) else { return context }
        InstrumentationSystem.instrument.extract(
            TraceHeaders(traceparent: traceparent), into: &context, using: TraceHeaders.Extractor())
        return context
    }
}

/// The carrier of `traceparent` and `tracestate` for the instrument's inject and extract.
public struct TraceHeaders: Sendable {
    public var traceparent: String?
    public var tracestate: String?

    public init(traceparent: String? = nil, tracestate: String? = nil) {
        self.traceparent = traceparent
        self.tracestate = tracestate
    }

    public struct Injector: Tracing.Injector {
        public init() {}
        public func inject(_ value: String, forKey key: String, into carrier: inout TraceHeaders) {
            switch key.lowercased() {
            case "traceparent": carrier.traceparent = value
            case "tracestate": carrier.tracestate = value
            default: break
            }
        }
    }

    public struct Extractor: Tracing.Extractor {
        public init() {}
        public func extract(key: String, from carrier: TraceHeaders) -> String? {
            switch key.lowercased() {
            case "traceparent": carrier.traceparent
            case "tracestate": carrier.tracestate
            default: nil
            }
        }
    }
}
