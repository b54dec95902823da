import Foundation
import Hummingbird
import Inlet
import InletStore

/// `/v1/projects` (admin keys) and `/v1/projects/{id}/api-keys` (admin keys, or a project key for its project).
struct ProjectController {
    let services: Services

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.post("projects", use: create)
        group.get("projects", use: list)
        group.get("projects/{id}", use: get)
        group.post("projects/{id}/api-keys", use: createKey)
        group.get("projects/{id}/api-keys", use: listKeys)
        group.delete("projects/{id}/api-keys/{key_id}", use: deleteKey)
        group.get("projects/{id}/limits", use: getLimits)
        group.patch("projects/{id}/limits", use: updateLimits)
    }

    private func requireAdmin(_ context: AuthenticatedContext) throws {
        guard context.principal.isAdmin else {
            throw APIError(.forbidden, code: "forbidden", "this operation needs an admin key")
        }
    }

    func create(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try requireAdmin(context)
        var reader = ObjectReader(try await JSONRequestBody.object(request, limit: services.configuration.maxBodyBytes))
        let name = reader.string("name", required: true)
        if let name, name.isEmpty || name.unicodeScalars.count > 128 {
            reader.issue("name", "must be 1–128 characters")
        }
        reader.rejectUnknownFields()
        try reader.finish()
        return JSONResponse.make(try await services.projects.create(name: name!).json, status: .created)
    }

    func list(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let page = try QueryParameters.page(request)
        switch context.principal {
        case .admin:
            let result = try await services.projects.list(page)
            return JSONResponse.page(result, request: request)
        case .project(let id, _):
            return JSONResponse.make(.array([try await services.projects.get(id).json]))
        }
    }

    func get(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try await ownProject(context)
        return JSONResponse.make(try await services.projects.get(id).json)
    }

    /// The project in the path, which a project key may only name when it is its own (404 otherwise).
    private func ownProject(_ context: AuthenticatedContext) async throws -> UUID {
        let id = try context.parameters.id("id", "project")
        return try await services.projectID(for: context, requested: id)
    }

    /// The project's fair-share weight and quotas (defaults filled in); a project key may read its own.
    func getLimits(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let projectID = try await ownProject(context)
        return JSONResponse.make(try await services.projects.storedLimits(projectID).json)
    }

    /// Sets the project's weight and quotas: admin keys only (a project key naming its own project gets 403; any
    /// other project is a 404). `null` puts a member back to its default.
    func updateLimits(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let projectID = try await ownProject(context)
        try requireAdmin(context)
        var reader = ObjectReader(try await JSONRequestBody.object(request, limit: services.configuration.maxBodyBytes))
        var patch = ProjectLimitsPatch()
        patch.weight = Self.limit(&reader, "weight", ProjectLimits.weightRange)
        patch.maxJobs = Self.limit(&reader, "max_jobs", ProjectLimits.quotaRange)
        patch.maxSubscriptionsPerSource = Self.limit(
            &reader, "max_subscriptions_per_source", ProjectLimits.quotaRange)
        patch.maxRunsPerEvent = Self.limit(&reader, "max_runs_per_event", ProjectLimits.positiveQuotaRange)
        patch.maxDispatchesPerSecond = Self.limit(
            &reader, "max_dispatches_per_second", ProjectLimits.positiveQuotaRange)
        patch.maxEventBytesPerSecond = Self.limit(&reader, "max_event_bytes_per_second", ProjectLimits.byteRateRange)
        reader.rejectUnknownFields()
        try reader.finish()
        let stored = try await services.projects.updateLimits(projectID, patch)
        context.logger.notice(
            "project limits changed",
            metadata: ["project_id": "\(projectID.lowercasedString)", "limits": "\(stored.json)"])
        return JSONResponse.make(stored.json)
    }

    /// A limit of a PATCH: absent keeps, `null` resets to the default, an integer in `range` sets.
    static func limit(_ reader: inout ObjectReader, _ key: String, _ range: ClosedRange<Int>) -> Patch<Int?> {
        guard let value = reader.raw(key) else { return .keep }
        if value.isNull { return .set(nil) }
        guard let number = JobLimitsInput.integer(value, in: range) else {
            reader.issue(
                key, "must be null (the default) or an integer from \(range.lowerBound) to \(range.upperBound)")
            return .keep
        }
        return .set(number)
    }

    func createKey(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let projectID = try await ownProject(context)
        var name = ""
        if request.headers[.contentType] != nil {
            var reader = ObjectReader(
                try await JSONRequestBody.object(request, limit: services.configuration.maxBodyBytes))
            name = reader.string("name") ?? ""
            if name.unicodeScalars.count > 128 { reader.issue("name", "must be at most 128 characters") }
            reader.rejectUnknownFields()
            try reader.finish()
        }
        let (key, token) = try await services.projects.createKey(projectID: projectID, name: name)
        return JSONResponse.make(key.json.adding("token", .string(token.unredactedText)), status: .created)
    }

    func listKeys(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let projectID = try await ownProject(context)
        let page = try await services.projects.listKeys(projectID: projectID, page: try QueryParameters.page(request))
        return JSONResponse.page(page, request: request)
    }

    func deleteKey(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let projectID = try await ownProject(context)
        try await services.projects.deleteKey(
            projectID: projectID, keyID: try context.parameters.id("key_id", "API key"))
        return JSONResponse.noContent()
    }
}
