import Foundation
import Hummingbird
import Inlet
import InletStore

/// `POST /v1/event-sources/{id}/explain`: which of the source's filters match a payload (and headers), and for
/// each that does not, the first failing path, operator and actual value. Creates nothing. Like the
/// subscription endpoints, it takes no `project_id`: the token's project must own the source.
struct ExplainController {
    let services: Services

    /// The most headers an explain request may give.
    static let maximumHeaders = 64

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.post("event-sources/{id}/explain", use: explain)
    }

    func explain(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        var reader = ObjectReader(try await JSONRequestBody.object(request, limit: services.configuration.maxBodyBytes))
        let payload = reader.raw("payload") ?? [:]
        let headers = Self.headers(&reader)
        let subscriptionID = reader.uuid("subscription_id")
        reader.rejectUnknownFields()
        try reader.finish()
        let sourceID = try context.parameters.id("id", "event source")
        let projectID = try await services.projectID(for: context, sourceID: sourceID)
        _ = try await services.sources(projectID).get(sourceID)  // 404 for a source of another project
        let budget = WorkBudget(
            steps: services.configuration.workBudgetSteps, isCancelled: services.cancellation(of: context.client))
        let result = try await FilterExplainer(services: services, projectID: projectID).explain(
            sourceID: sourceID, subscriptionID: subscriptionID, payload: payload, headers: headers, budget: budget)
        return JSONResponse.make(
            .object(
                JSONObject([
                    ("source_id", .id(sourceID)), ("matched", .int(Int64(result.matched))),
                    ("truncated", .bool(result.truncated)), ("subscriptions", .array(result.explanations)),
                ])))
    }

    /// `headers`: an object of header names (matched lower-cased, as recorded with events) to string values.
    static func headers(_ reader: inout ObjectReader) -> [String: String] {
        guard let value = reader.object("headers"), let object = value.objectValue else { return [:] }
        guard object.count <= maximumHeaders else {
            reader.issue("headers", "must have at most \(maximumHeaders) headers")
            return [:]
        }
        var headers: [String: String] = [:]
        for (name, value) in object {
            let path = JSONPointer.append(reader.path("headers"), name)
            guard EventSourceInput.isHeaderName(name) else {
                reader.issues(from: ValidationError(path: path, "must be an HTTP header name"), at: "headers")
                continue
            }
            guard let text = value.stringValue, text.utf8.count <= RecordedHeaders.maximumValueLength else {
                reader.issues(
                    from: ValidationError(
                        path: path, "must be a string of at most \(RecordedHeaders.maximumValueLength) bytes"),
                    at: "headers")
                continue
            }
            headers[name.lowercased()] = text
        }
        return headers
    }
}
