import Foundation
import Hummingbird
import Inlet
import InletStore

/// `/v1/jobs`: the targets subscriptions point at.
struct JobController {
    let services: Services

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("jobs", use: list)
        group.post("jobs", use: create)
        group.get("jobs/{id}", use: get)
        group.patch("jobs/{id}", use: update)
        group.delete("jobs/{id}", use: delete)
        group.post("jobs/{id}/rotate-secret", use: rotateSecret)
        group.post("jobs/{id}/close-circuit", use: closeCircuit)
    }

    func list(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let projectID = try await services.projectID(for: context, request: request)
        let page = try await services.jobs(projectID).list(try QueryParameters.page(request))
        return JSONResponse.page(page, request: request)
    }

    func create(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        var reader = ObjectReader(try await JSONRequestBody.object(request, limit: services.configuration.maxBodyBytes))
        let requestedProject = reader.uuid("project_id")
        let name = reader.string("name", required: true)
        if let name, !EventSource.isValidName(name) { reader.issue("name", EventSourceInput.nameRule) }
        let kindName = reader.string("kind", required: true)
        let config = reader.object("config")
        let maxAttempts = reader.integer("max_attempts", range: Job.maxAttemptsRange)
        let enabled = reader.bool("enabled")
        let retryPolicy = Self.retryPolicy(&reader) ?? nil
        let limits = JobLimitsInput(&reader)
        reader.rejectUnknownFields()
        try reader.finish()
        let kind = try validateKind(kindName!)
        let (storedConfig, headers) = try validateConfig(config ?? [:], kind: kind)
        let projectID = try await services.projectID(for: context, requested: requestedProject)
        let draft = JobDraft(
            name: name!, kind: kind, config: storedConfig, headers: headers,
            maxAttempts: maxAttempts ?? Job.defaultMaxAttempts, enabled: enabled ?? true, retryPolicy: retryPolicy,
            limits: limits.limits(for: kind))
        let (job, secret) = try await services.jobs(projectID).create(draft)
        return JSONResponse.make(job.json.adding("signing_secret", .string(secret.unredactedText)), status: .created)
    }

    func get(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let projectID = try await services.projectID(for: context, request: request)
        return JSONResponse.make(try await services.jobs(projectID).get(try context.parameters.id("id", "job")).json)
    }

    func update(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let projectID = try await services.projectID(for: context, request: request)
        let id = try context.parameters.id("id", "job")
        var reader = ObjectReader(try await JSONRequestBody.object(request, limit: services.configuration.maxBodyBytes))
        var patch = JobPatch()
        if reader.raw("project_id") != nil {
            reader.issue("project_id", "cannot be changed; pass project_id in the query")
        }
        if reader.raw("kind") != nil { reader.issue("kind", "cannot be changed; create a new job instead") }
        if case .set(let name?) = reader.patchString("name", nullable: false) {
            if EventSource.isValidName(name) {
                patch.name = .set(name)
            } else {
                reader.issue("name", EventSourceInput.nameRule)
            }
        }
        let configPatch = reader.object("config")
        if let maxAttempts = reader.integer("max_attempts", range: Job.maxAttemptsRange) {
            patch.maxAttempts = .set(maxAttempts)
        }
        if let enabled = reader.bool("enabled") { patch.enabled = .set(enabled) }
        if let retryPolicy = Self.retryPolicy(&reader) { patch.retryPolicy = .set(retryPolicy) }
        JobLimitsInput(&reader).apply(to: &patch)
        reader.rejectUnknownFields()
        try reader.finish()
        let controller = self
        let fields = patch
        let job = try await services.jobs(projectID).update(id) { current in
            var patch = fields
            if let configPatch {
                let (config, headers) = try controller.patchedConfig(of: current, with: configPatch)
                patch.config = .set(config)
                patch.headers = headers
            }
            return patch
        }
        return JSONResponse.make(job.json)
    }

    func delete(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let projectID = try await services.projectID(for: context, request: request)
        try await services.jobs(projectID).delete(try context.parameters.id("id", "job"))
        return JSONResponse.noContent()
    }

    /// The request's `retry_policy`: absent → `nil`, `null` → `.some(nil)` (the standard policy), an object → the
    /// parsed policy; its problems become issues of the request.
    static func retryPolicy(_ reader: inout ObjectReader) -> RetryPolicy?? {
        guard let value = reader.raw("retry_policy") else { return nil }
        if value.isNull { return .some(nil) }
        do {
            return .some(try RetryPolicy(json: value, path: reader.path("retry_policy")))
        } catch {
            reader.issues(from: error, at: "retry_policy")
            return nil
        }
    }

    /// `POST /v1/jobs/{id}/rotate-secret`: a new signing secret, shown once in the answer; deliveries carry
    /// signatures under both the new and the old secret for `grace_period_seconds` (default 24 h, at most 30 days).
    func rotateSecret(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let projectID = try await services.projectID(for: context, request: request)
        let id = try context.parameters.id("id", "job")
        var grace = Int(SigningSecretRotation.defaultGracePeriod)
        if request.headers[.contentLength].flatMap(Int.init) ?? 1 > 0, request.headers[.contentType] != nil {
            var reader = ObjectReader(
                try await JSONRequestBody.object(request, limit: services.configuration.maxBodyBytes))
            grace = reader.integer("grace_period_seconds", range: 0...JobRepository.maximumGracePeriodSeconds) ?? grace
            reader.rejectUnknownFields()
            try reader.finish()
        }
        let (job, secret) = try await services.jobs(projectID).rotateSecret(id, gracePeriod: grace)
        return JSONResponse.make(job.json.adding("signing_secret", .string(secret.unredactedText)))
    }

    /// Closes the job's circuit by hand (an operator knows the target is back): runs are delivered again at once.
    func closeCircuit(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let projectID = try await services.projectID(for: context, request: request)
        let id = try context.parameters.id("id", "job")
        let job = try await services.jobs(projectID).closeCircuit(id)
        context.logger.notice(
            "circuit closed by hand",
            metadata: ["job_id": "\(id.lowercasedString)", "project_id": "\(projectID.lowercasedString)"])
        services.notifier.runsCreated()
        return JSONResponse.make(job.json)
    }

    private func validateKind(_ name: String) throws(ValidationError) -> JobKind {
        let kind = JobKind(rawValue: name)
        guard kind == .http || kind == .noop || services.configuration.customJobKinds.contains(name) else {
            let known = (["http", "noop"] + services.configuration.customJobKinds.sorted()).joined(separator: ", ")
            throw ValidationError(path: "/kind", "unknown job kind; this deployment runs \(known)")
        }
        return kind
    }

    /// Validates a config for `kind` and returns what to store: the config with defaults filled in and, for http
    /// jobs, its headers apart (they are sealed and never stored in the config).
    func validateConfig(_ config: JSONValue, kind: JobKind) throws(ValidationError) -> (JSONValue, HTTPJobHeaders) {
        switch kind {
        case .http:
            let configuration = try HTTPJobConfiguration(
                config: config, allowPrivateTargets: services.configuration.allowPrivateTargets)
            return (configuration.storedJSON, configuration.headers)
        case .noop:
            guard config.objectValue?.isEmpty ?? false else {
                throw ValidationError(path: "/config", "a noop job takes no config; send {} or leave it out")
            }
            return (config, HTTPJobHeaders())
        default:
            return (config, HTTPJobHeaders())  // custom kinds validate their own config in the worker
        }
    }

    /// The config to store after a PATCH of `config`. For http jobs it is a merge into the stored config: members
    /// given replace, `null` removes (back to the default); `headers` left out keeps the sealed headers, `null`
    /// clears them, an object replaces them all. Other kinds' configs are replaced whole (Inlet does not know
    /// their structure).
    func patchedConfig(of job: Job, with patch: JSONValue) throws(ValidationError) -> (JSONValue, Patch<HTTPJobHeaders>)
    {
        guard job.kind == .http, let members = patch.objectValue, var merged = job.config.objectValue else {
            return (try validateConfig(patch, kind: job.kind).0, .keep)
        }
        for (key, value) in members { merged[key] = value == .null ? JSONValue?.none : value }
        let configuration = try HTTPJobConfiguration(
            config: .object(merged), allowPrivateTargets: services.configuration.allowPrivateTargets)
        // A stored config holds headers only when an older version wrote it; they are sealed now, like new ones.
        let headersChanged = merged.contains(key: "headers") || members.contains(key: "headers")
        return (configuration.storedJSON, headersChanged ? .set(configuration.headers) : .keep)
    }
}
