import InletTelemetry
import Testing

/// Tracing is off unless the standard OTEL_* variables ask for it.
@Suite struct TracingSettingsTests {
    @Test func tracingIsOffUnlessAskedFor() {
        #expect(!InletTracing.isRequested(by: [:]))
        #expect(!InletTracing.isRequested(by: ["OTEL_EXPORTER_OTLP_ENDPOINT": ""]))
        #expect(InletTracing.isRequested(by: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"]))
        #expect(InletTracing.isRequested(by: ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"]))
        #expect(InletTracing.isRequested(by: ["OTEL_TRACES_EXPORTER": "otlp"]))
        #expect(
            !InletTracing.isRequested(by: [
                "OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318",
            ]))
        #expect(
            !InletTracing.isRequested(by: [
                "OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318",
            ]))
    }
}
