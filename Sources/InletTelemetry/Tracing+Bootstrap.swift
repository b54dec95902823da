import Logging
import OTel
import ServiceLifecycle
import Tracing

/// Tracing for both executables: swift-otel's tracer, exporting OTLP over HTTP, configured by the standard `OTEL_*`
/// environment variables and off unless they ask for it.
public enum InletTracing {
    /// Whether the environment asks for traces: an OTLP endpoint is named (`OTEL_EXPORTER_OTLP_ENDPOINT` or
    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) or `OTEL_TRACES_EXPORTER` is set, and neither `OTEL_SDK_DISABLED=true`
    /// nor `OTEL_TRACES_EXPORTER=none` says otherwise. Off by default: a deployment without a collector sends no
    /// spans anywhere.
    public static func isRequested(by environment: [String: String]) -> Bool {
        if environment["OTEL_SDK_DISABLED"]?.lowercased() == "true" { return false }
        if let exporter = environment["OTEL_TRACES_EXPORTER"]?.lowercased(), !exporter.isEmpty {
            return exporter != "none"
        }
        return ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].contains {
            !(environment[$0] ?? "").isEmpty
        }
    }

    /// Bootstraps the process's tracer when the environment asks for traces, and returns the service that exports
    /// the spans (to run beside the others, stopping after them so that the last spans are sent); `nil` when
    /// tracing is off, leaving the no-op tracer in place. `serviceName` is the default of `OTEL_SERVICE_NAME`.
    ///
    /// Only traces: metrics stay on Prometheus and logs on stderr (with the trace and span ids in their metadata,
    /// through ``loggingMetadataProvider``).
    public static func bootstrap(serviceName: String, environment: [String: String]) throws -> (any Service)? {
        guard isRequested(by: environment) else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = serviceName
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(backend.factory)
        return backend.service
    }

    /// Adds `trace_id` and `span_id` of the current span to every log record written inside it.
    public static var loggingMetadataProvider: Logger.MetadataProvider { OTel.makeLoggingMetadataProvider() }
}
