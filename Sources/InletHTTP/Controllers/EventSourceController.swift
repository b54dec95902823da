import Foundation
import Hummingbird
import Inlet
import InletStore

/// `/v1/event-sources`: the seed's event-source endpoints, plus secret rotation.
struct EventSourceController {
    let services: Services

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("event-sources", use: list)
        group.post("event-sources", use: create)
        group.get("event-sources/{id}", use: get)
        group.patch("event-sources/{id}", use: update)
        group.delete("event-sources/{id}", use: delete)
        group.post("event-sources/{id}/rotate-secret", use: rotateSecret)
    }

    func list(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let projectID = try await services.projectID(for: context, request: request)
        let page = try await services.sources(projectID).list(try QueryParameters.page(request))
        return JSONResponse.page(page, request: request)
    }

    func create(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        var reader = ObjectReader(try await JSONRequestBody.object(request, limit: services.configuration.maxBodyBytes))
        let requestedProject = reader.uuid("project_id")
        let name = reader.string("name", required: true)
        if let name, !EventSource.isValidName(name) { reader.issue("name", EventSourceInput.nameRule) }
        let description = reader.patchString("description", nullable: true)
        let schema = reader.object("schema")
        let enabled = reader.bool("enabled")
        var fields = EventSourceInput.SignatureFields()
        fields.read(from: &reader)
        let secret = reader.string("signing_secret")
        let delay = EventSourceInput.deliveryDelay(&reader)
        reader.rejectUnknownFields()
        try reader.finish()
        let projectID = try await services.projectID(for: context, requested: requestedProject)

        var draft = EventSourceDraft(name: name!)
        if case .set(let value) = description { draft.description = value }
        draft.enabled = enabled ?? true
        draft.schema = schema ?? [:]
        try EventSourceInput.validateSchema(draft.schema)
        draft.signature = try fields.normalized(fields.explicit)
        draft.signingSecret = secret.map(SigningSecret.init)
        if case .set(let value) = delay { draft.deliveryDelayMilliseconds = value }
        try EventSourceInput.validateSignature(draft.signature, secret: draft.signingSecret)
        try EventSourceInput.validateDescription(draft.description)

        let created = try await services.sources(projectID).create(draft)
        return JSONResponse.make(Self.render(created), status: .created)
    }

    func get(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let projectID = try await services.projectID(for: context, request: request)
        let source = try await services.sources(projectID).get(try context.parameters.id("id", "event source"))
        return JSONResponse.make(source.json)
    }

    func update(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let projectID = try await services.projectID(for: context, request: request)
        let id = try context.parameters.id("id", "event source")
        var reader = ObjectReader(try await JSONRequestBody.object(request, limit: services.configuration.maxBodyBytes))
        var patch = EventSourcePatch()
        if reader.raw("project_id") != nil {
            reader.issue("project_id", "cannot be changed; pass project_id in the query")
        }
        switch reader.patchString("name", nullable: false) {
        case .set(let name?):
            if EventSource.isValidName(name) {
                patch.name = .set(name)
            } else {
                reader.issue("name", EventSourceInput.nameRule)
            }
        default: break
        }
        patch.description = reader.patchString("description", nullable: true)
        if let schema = reader.object("schema") { patch.schema = .set(schema) }
        if let enabled = reader.bool("enabled") { patch.enabled = .set(enabled) }
        var fields = EventSourceInput.SignatureFields()
        fields.read(from: &reader)
        if let secret = reader.string("signing_secret") { patch.signingSecret = .set(SigningSecret(secret)) }
        patch.deliveryDelayMilliseconds = EventSourceInput.deliveryDelay(&reader)
        reader.rejectUnknownFields()
        try reader.finish()
        if case .set(let schema) = patch.schema { try EventSourceInput.validateSchema(schema) }
        if case .set(let description) = patch.description { try EventSourceInput.validateDescription(description) }
        let signatureFields = fields
        let updated = try await services.sources(projectID).update(id, patch) { merged, newSecret in
            var source = merged
            let settings = try signatureFields.merged(into: source)
            try EventSourceInput.validateSignature(settings, secret: newSecret)
            source.signatureScheme = settings.scheme
            source.signatureHeader = settings.header
            source.signatureAlgorithm = settings.algorithm
            source.signatureEncoding = settings.encoding
            source.idempotencyHeader = settings.idempotencyHeader
            return source
        }
        return JSONResponse.make(Self.render(updated))
    }

    func delete(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let projectID = try await services.projectID(for: context, request: request)
        try await services.sources(projectID).delete(try context.parameters.id("id", "event source"))
        return JSONResponse.noContent()
    }

    /// `POST /v1/event-sources/{id}/rotate-secret`: a new secret (given or generated), shown once; the previous
    /// one keeps verifying for `grace_period_seconds` (default 24 h).
    func rotateSecret(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let projectID = try await services.projectID(for: context, request: request)
        let id = try context.parameters.id("id", "event source")
        var secret: SigningSecret?
        var grace = Int(SigningSecretRotation.defaultGracePeriod)
        if request.headers[.contentLength].flatMap(Int.init) ?? 1 > 0, request.headers[.contentType] != nil {
            var reader = ObjectReader(
                try await JSONRequestBody.object(request, limit: services.configuration.maxBodyBytes))
            secret = reader.string("signing_secret").map(SigningSecret.init)
            grace = reader.integer("grace_period_seconds", range: 0...(30 * 86_400)) ?? grace
            reader.rejectUnknownFields()
            try reader.finish()
        }
        let repository = services.sources(projectID)
        if let secret {
            let source = try await repository.get(id)
            try EventSourceInput.validateSignature(
                SignatureSettings(
                    scheme: source.signatureScheme, header: source.signatureHeader,
                    algorithm: source.signatureAlgorithm, encoding: source.signatureEncoding),
                secret: secret)
        }
        let rotated = try await repository.rotateSecret(id, newSecret: secret, gracePeriod: grace)
        return JSONResponse.make(Self.render(rotated))
    }

    static func render(_ value: EventSourceWithSecret) -> JSONValue {
        guard let secret = value.revealedSecret else { return value.source.json }
        return value.source.json.adding("signing_secret", .string(secret.unredactedText))
    }
}
