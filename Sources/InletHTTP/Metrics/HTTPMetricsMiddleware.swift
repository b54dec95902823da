import Hummingbird
import Metrics

/// Requests by method, route template and status, and their latency (labels never contain ids: the route is
/// the template, e.g. `/v1/jobs/{id}`).
struct HTTPMetricsMiddleware: RouterMiddleware {
    typealias Context = InletRequestContext
    let factory: any MetricsFactory

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath ?? "unmatched"
        let method = request.method.rawValue
        Counter(
            label: "inlet_http_requests_total",
            dimensions: [("method", method), ("route", route), ("status", String(response.status.code))],
            factory: factory
        ).increment()
        Timer(
            label: "inlet_http_request_duration_seconds", dimensions: [("method", method), ("route", route)],
            factory: factory
        )
        .recordNanoseconds(started.duration(to: .now).nanosecondsClamped)
        return response
    }
}

extension Duration {
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        return seconds.multipliedReportingOverflow(by: 1_000_000_000).overflow
            ? .max : seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
