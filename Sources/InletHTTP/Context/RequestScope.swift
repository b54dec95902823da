import Foundation
import Hummingbird
import Inlet
import InletStore
import Postgres

/// The repositories and settings handlers share; built once in ``buildApplication(configuration:)``.
struct Services: Sendable {
    let pool: PostgresPool
    let secrets: SecretBox
    let projects: ProjectRepository
    let notifier: RunNotifier
    let configuration: ServerConfiguration

    func sources(_ projectID: UUID) -> EventSourceRepository {
        EventSourceRepository(projectID: projectID, pool: pool, secrets: secrets)
    }

    func jobs(_ projectID: UUID) -> JobRepository { JobRepository(projectID: projectID, pool: pool, secrets: secrets) }

    func runs(_ projectID: UUID) -> RunRepository {
        RunRepository(projectID: projectID, pool: pool, notifier: notifier)
    }

    /// Whether a request's evaluation should stop: its client hung up, or `INLET_HTTP_REQUEST_TIMEOUT_MS` passed
    /// since it arrived.
    func cancellation(of client: ClientPresence) -> @Sendable () -> Bool {
        let deadline = Duration.milliseconds(configuration.httpRequestTimeoutMilliseconds)
        return { client.isGone(deadline: deadline) }
    }

    func subscriptions(_ projectID: UUID) -> SubscriptionRepository {
        SubscriptionRepository(projectID: projectID, pool: pool)
    }

    /// The project a request acts on. A project key acts on its own project (naming another answers 404, as if
    /// it did not exist); an admin key must name one.
    func projectID(for context: AuthenticatedContext, requested: UUID?) async throws -> UUID {
        switch context.principal {
        case .project(let own, _):
            if let requested, requested != own { throw APIError.notFound("project") }
            return own
        case .admin:
            guard let requested else {
                throw APIError(
                    .unprocessableContent, code: "validation_failed", "project_id is required with an admin key",
                    details: [ValidationIssue(path: "/project_id", message: "is required with an admin key")])
            }
            guard try await projects.exists(requested) else { throw APIError.notFound("project") }
            return requested
        }
    }

    /// `project_id` from the query string (GET, PATCH, DELETE).
    func projectID(for context: AuthenticatedContext, request: Request) async throws -> UUID {
        try await projectID(for: context, requested: try QueryParameters.uuid(request, "project_id"))
    }

    /// The project owning source `sourceID` for routes without `project_id` (subscriptions): the token's own
    /// project for project keys; for admin keys, whichever project the source belongs to.
    func projectID(for context: AuthenticatedContext, sourceID: UUID) async throws -> UUID {
        switch context.principal {
        case .project(let own, _):
            return own
        case .admin:
            return try await EventSourceRepository.projectID(ofSource: sourceID, pool: pool)
        }
    }
}

/// Typed query-string access with 400s for malformed values.
enum QueryParameters {
    static func uuid(_ request: Request, _ name: String) throws -> UUID? {
        guard let text = request.uri.queryParameters[name[...]] else { return nil }
        guard let id = UUID(uuidString: String(text)) else {
            throw APIError.badRequest(
                "query parameter \(name) must be a UUID",
                details: [ValidationIssue(path: name, message: "must be a UUID")])
        }
        return id
    }

    static func page(_ request: Request) throws -> Page {
        var limit = Page.defaultLimit
        if let text = request.uri.queryParameters["limit"] {
            guard let value = Int(text), (1...Page.maximumLimit).contains(value) else {
                throw APIError.badRequest(
                    "query parameter limit must be an integer from 1 to \(Page.maximumLimit)",
                    details: [
                        ValidationIssue(path: "limit", message: "must be an integer from 1 to \(Page.maximumLimit)")
                    ])
            }
            limit = value
        }
        return Page(limit: limit, after: try uuid(request, "after"))
    }

    /// An RFC 3339 date-time (`2026-11-26T15:37:07Z`).
    static func timestamp(_ request: Request, _ name: String) throws -> Date? {
        guard let text = request.uri.queryParameters[name[...]] else { return nil }
        guard let date = Timestamp.date(String(text)) else {
            throw APIError.badRequest(
                "query parameter \(name) must be an RFC 3339 date-time such as 2026-11-26T15:37:07Z",
                details: [ValidationIssue(path: name, message: "must be an RFC 3339 date-time")])
        }
        return date
    }

    static func bool(_ request: Request, _ name: String) throws -> Bool? {
        guard let text = request.uri.queryParameters[name[...]] else { return nil }
        switch text.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw APIError.badRequest("query parameter \(name) must be true or false")
        }
    }
}

/// Path parameters that must be UUIDs: anything else is a resource that cannot exist (404).
extension Parameters {
    func id(_ name: String, _ what: String) throws -> UUID {
        guard let text = get(name), let id = UUID(uuidString: text) else { throw APIError.notFound(what) }
        return id
    }
}
