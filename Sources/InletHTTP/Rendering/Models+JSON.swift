import Foundation
import Inlet
import InletStore

extension JSONValue {
    static func string(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
    static func id(_ value: UUID) -> JSONValue { .string(value.lowercasedString) }
    static func timestamp(_ value: Date) -> JSONValue { .string(Timestamp.string(value)) }
}

extension EventSource {
    /// The seed's fields in the seed's order, then Inlet's signature extensions.
    var json: JSONValue {
        .object(
            JSONObject([
                ("id", .id(id)), ("project_id", .id(projectID)), ("name", .string(name)),
                ("description", .string(description)), ("schema", schema), ("enabled", .bool(enabled)),
                ("signature_header", .string(signatureHeader)),
                ("signature_algorithm", .string(signatureAlgorithm.rawValue)),
                ("created_at", .timestamp(createdAt)), ("updated_at", .timestamp(updatedAt)),
                ("signature_scheme", .string(signatureScheme?.rawValue)),
                ("signature_encoding", .string(signatureEncoding.rawValue)),
                ("idempotency_header", .string(idempotencyHeader)),
                ("delivery_delay_ms", deliveryDelayMilliseconds.map { .int($0) } ?? .null),
            ]))
    }
}

extension Subscription {
    /// The seed's fields, and `ordering_key_path`.
    var json: JSONValue {
        .object(
            JSONObject([
                ("id", .id(id)), ("source_id", .id(sourceID)), ("target_type", .string(targetType)),
                ("target_id", .id(targetID)), ("filter_expr", filterExpression), ("enabled", .bool(enabled)),
                ("created_at", .timestamp(createdAt)), ("ordering_key_path", .string(orderingKeyPath)),
            ]))
    }
}

extension Job {
    var json: JSONValue {
        var object = JSONObject([
            ("id", .id(id)), ("project_id", .id(projectID)), ("name", .string(name)),
            ("kind", .string(kind.rawValue)),
            ("config", kind == .http ? shownHTTPConfig : config), ("max_attempts", .int(Int64(maxAttempts))),
            ("enabled", .bool(enabled)), ("created_at", .timestamp(createdAt)),
            ("updated_at", .timestamp(updatedAt)), ("retry_policy", (retryPolicy ?? .standard).json),
            ("previous_secret_expires_at", previousSecretExpiresAt.map(JSONValue.timestamp) ?? .null),
        ])
        object["max_concurrency"] = limits.maxConcurrency.map { JSONValue.int(Int64($0)) } ?? JSONValue.null
        object["rate_limit"] = limits.rateLimit.map(Self.json) ?? JSONValue.null
        object["circuit_breaker"] = limits.breakerThreshold.map(breakerJSON) ?? JSONValue.null
        object["circuit"] = (circuit ?? JobCircuit()).json
        return .object(object)
    }

    private static func json(_ rate: JobLimits.RateLimit) -> JSONValue {
        .object(JSONObject([("per_second", .double(rate.perSecond)), ("burst", .int(Int64(rate.burst)))]))
    }

    private func breakerJSON(_ threshold: Int) -> JSONValue {
        .object(
            JSONObject([
                ("failure_threshold", .int(Int64(threshold))),
                ("probe_interval_seconds", .int(Int64(limits.breakerProbeSeconds))),
            ]))
    }

    /// An http job's config as responses show it: header values are write-only, so only their names are listed
    /// (`header_names`). Headers an older version left in the stored config are hidden the same way.
    var shownHTTPConfig: JSONValue {
        guard var object = config.objectValue else { return config }
        let names = object["headers"]?.objectValue.map { Array($0.keys) } ?? headerNames
        object["headers"] = JSONValue?.none  // a bare `nil` would be JSON null
        object["header_names"] = .array(names.map(JSONValue.string))
        return .object(object)
    }
}

extension JobCircuit {
    var json: JSONValue {
        .object(
            JSONObject([
                ("state", .string(state.rawValue)), ("since", since.map(JSONValue.timestamp) ?? .null),
                ("consecutive_failures", .int(Int64(consecutiveFailures))), ("last_error", .string(lastError)),
                ("next_probe_at", nextProbeAt.map(JSONValue.timestamp) ?? .null), ("running", .int(Int64(running))),
            ]))
    }
}

extension StoredProjectLimits {
    /// Effective values (defaults filled in), as an admin sets them.
    var json: JSONValue {
        .object(
            JSONObject([
                ("project_id", .id(projectID)), ("weight", .int(Int64(limits.effectiveWeight))),
                ("max_jobs", .int(Int64(limits.effectiveMaxJobs))),
                ("max_subscriptions_per_source", .int(Int64(limits.effectiveMaxSubscriptionsPerSource))),
                ("max_runs_per_event", .int(Int64(limits.effectiveMaxRunsPerEvent))),
                ("max_dispatches_per_second", .int(Int64(limits.effectiveMaxDispatchesPerSecond))),
                ("max_event_bytes_per_second", .int(Int64(limits.effectiveMaxEventBytesPerSecond))),
                ("updated_at", updatedAt.map(JSONValue.timestamp) ?? .null),
            ]))
    }
}

extension Project {
    var json: JSONValue {
        .object(JSONObject([("id", .id(id)), ("name", .string(name)), ("created_at", .timestamp(createdAt))]))
    }
}

extension APIKey {
    var json: JSONValue {
        .object(
            JSONObject([
                ("id", .id(id)), ("project_id", projectID.map(JSONValue.id) ?? .null), ("name", .string(name)),
                ("admin", .bool(isAdmin)), ("token_prefix", .string(tokenPrefix)),
                ("created_at", .timestamp(createdAt)),
                ("last_used_at", lastUsedAt.map(JSONValue.timestamp) ?? .null),
            ]))
    }
}

extension JSONValue {
    /// Adds a member to an object value (used to reveal a secret once).
    func adding(_ key: String, _ value: JSONValue) -> JSONValue {
        guard var object = objectValue else { return self }
        object[key] = value
        return .object(object)
    }
}
