import Foundation
import Hummingbird
import Inlet
import InletStore

/// `/v1/event-sources/{id}/subscriptions` and `/subscribe`: the token's project must own the source.
struct SubscriptionController {
    let services: Services

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("event-sources/{id}/subscriptions", use: list)
        group.post("event-sources/{id}/subscribe", use: create)
        group.get("event-sources/{id}/subscriptions/{subscription_id}", use: get)
        group.patch("event-sources/{id}/subscriptions/{subscription_id}", use: update)
        group.delete("event-sources/{id}/subscriptions/{subscription_id}", use: delete)
    }

    private func scope(_ context: AuthenticatedContext) async throws -> (SubscriptionRepository, UUID) {
        let sourceID = try context.parameters.id("id", "event source")
        let projectID = try await services.projectID(for: context, sourceID: sourceID)
        return (services.subscriptions(projectID), sourceID)
    }

    func list(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let (repository, sourceID) = try await scope(context)
        let page = try await repository.list(sourceID: sourceID, page: try QueryParameters.page(request))
        return JSONResponse.page(page, request: request)
    }

    func create(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        var reader = ObjectReader(try await JSONRequestBody.object(request, limit: services.configuration.maxBodyBytes))
        let targetType = reader.string("target_type", required: true)
        if let targetType, targetType != "job" { reader.issue("target_type", "must be \"job\"", keyword: "enum") }
        let targetID = reader.uuid("target_id", required: true)
        let filter = reader.raw("filter_expr")
        let enabled = reader.bool("enabled")
        let orderingKeyPath = OrderingKeyPathInput.read(&reader)
        reader.rejectUnknownFields()
        try reader.finish()
        let filterExpression = filter ?? [:]
        try FilterInput.validate(filterExpression)
        let (repository, sourceID) = try await scope(context)
        let subscription = try await repository.create(
            sourceID: sourceID, targetID: targetID!, filterExpression: filterExpression, enabled: enabled ?? true,
            orderingKeyPath: orderingKeyPath ?? nil)
        return JSONResponse.make(subscription.json, status: .created)
    }

    func get(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let (repository, sourceID) = try await scope(context)
        let id = try context.parameters.id("subscription_id", "subscription")
        return JSONResponse.make(try await repository.get(sourceID: sourceID, id: id).json)
    }

    func update(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        var reader = ObjectReader(try await JSONRequestBody.object(request, limit: services.configuration.maxBodyBytes))
        var patch = SubscriptionPatch()
        for immutable in ["target_type", "target_id", "source_id"] where reader.raw(immutable) != nil {
            reader.issue(immutable, "cannot be changed; create a new subscription instead")
        }
        if let filter = reader.raw("filter_expr") {
            if filter.isNull { patch.filterExpression = .set([:]) } else { patch.filterExpression = .set(filter) }
        }
        if let enabled = reader.bool("enabled") { patch.enabled = .set(enabled) }
        if let orderingKeyPath = OrderingKeyPathInput.read(&reader) { patch.orderingKeyPath = .set(orderingKeyPath) }
        reader.rejectUnknownFields()
        try reader.finish()
        if case .set(let filter) = patch.filterExpression { try FilterInput.validate(filter) }
        let (repository, sourceID) = try await scope(context)
        let id = try context.parameters.id("subscription_id", "subscription")
        return JSONResponse.make(try await repository.update(sourceID: sourceID, id: id, patch).json)
    }

    func delete(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let (repository, sourceID) = try await scope(context)
        try await repository.delete(
            sourceID: sourceID, id: try context.parameters.id("subscription_id", "subscription"))
        return JSONResponse.noContent()
    }
}

/// Reading of `ordering_key_path`: `nil` when absent, `.some(nil)` for `null` (no path), else a valid path.
enum OrderingKeyPathInput {
    static func read(_ reader: inout ObjectReader) -> String?? {
        guard let value = reader.raw("ordering_key_path") else { return nil }
        if value.isNull { return .some(nil) }
        guard let text = value.stringValue else {
            reader.issue("ordering_key_path", "must be a string or null, found \(value.typeName)", keyword: "type")
            return nil
        }
        do {
            return .some(try OrderingKeyPath(text).description)
        } catch {
            reader.issue("ordering_key_path", error.message)
            return nil
        }
    }
}

/// Validation of `filter_expr`.
enum FilterInput {
    /// An empty object matches every event; anything else must be a valid event pattern.
    static func validate(_ filter: JSONValue) throws(ValidationError) {
        guard let object = filter.objectValue else {
            throw ValidationError(path: "/filter_expr", "must be an object (an event pattern); {} matches every event")
        }
        if object.isEmpty { return }
        if filter.serializedBytes().count > 256 * 1024 {
            throw ValidationError(path: "/filter_expr", "must be at most 256 KiB")
        }
        do {
            _ = try FilterPattern(filter)
        } catch {
            throw ValidationError(
                "filter_expr is not a valid event pattern",
                issues: [ValidationIssue(path: "/filter_expr" + error.path, message: error.message, keyword: "filter")])
        }
    }
}
