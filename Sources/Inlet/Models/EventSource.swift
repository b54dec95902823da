import Foundation

/// Where events arrive: a named, optionally schema-checked and signature-verified entry point of a project.
public struct EventSource: Sendable, Equatable {
    public var id: UUID
    public var projectID: UUID
    public var name: String
    public var description: String?
    /// A JSON Schema (draft 2020-12) payloads must satisfy; `{}` accepts everything.
    public var schema: JSONValue
    public var enabled: Bool
    /// `nil` until configured: inbound webhooks are then refused.
    public var signatureScheme: SignatureScheme?
    public var signatureHeader: String?
    public var signatureAlgorithm: SignatureAlgorithm
    public var signatureEncoding: SignatureEncoding
    public var idempotencyHeader: String?
    /// Bumped on every change to the source or its subscriptions.
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date
    /// How long the runs of the source's events wait before they may start, unless a dispatch asks otherwise.
    public var deliveryDelayMilliseconds: Int64?

    public init(
        id: UUID, projectID: UUID, name: String, description: String?, schema: JSONValue, enabled: Bool,
        signatureScheme: SignatureScheme?, signatureHeader: String?, signatureAlgorithm: SignatureAlgorithm,
        signatureEncoding: SignatureEncoding, idempotencyHeader: String?, version: Int64, createdAt: Date,
        updatedAt: Date, deliveryDelayMilliseconds: Int64? = nil
    ) {
        self.deliveryDelayMilliseconds = deliveryDelayMilliseconds
        self.id = id
        self.projectID = projectID
        self.name = name
        self.description = description
        self.schema = schema
        self.enabled = enabled
        self.signatureScheme = signatureScheme
        self.signatureHeader = signatureHeader
        self.signatureAlgorithm = signatureAlgorithm
        self.signatureEncoding = signatureEncoding
        self.idempotencyHeader = idempotencyHeader
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Whether `name` is a valid source or job name: 1–128 characters of `[A-Za-z0-9._:-]`.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = name.utf8
        return !bytes.isEmpty && bytes.count <= 128
            && bytes.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".")
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-")
            }
    }
}

/// Connects a source to a job through a filter.
public struct Subscription: Sendable, Equatable {
    public var id: UUID
    public var projectID: UUID
    public var sourceID: UUID
    /// Always `"job"` today.
    public var targetType: String
    public var targetID: UUID
    public var filterExpression: JSONValue
    public var enabled: Bool
    public var createdAt: Date
    public var updatedAt: Date
    /// Where the ordering key of the runs this subscription creates is read from the payload, when the dispatch
    /// gives no `ordering_key` (``OrderingKeyPath``); `nil`: only the dispatch's key applies.
    public var orderingKeyPath: String?

    public init(
        id: UUID, projectID: UUID, sourceID: UUID, targetType: String, targetID: UUID, filterExpression: JSONValue,
        enabled: Bool, createdAt: Date, updatedAt: Date, orderingKeyPath: String? = nil
    ) {
        self.orderingKeyPath = orderingKeyPath
        self.id = id
        self.projectID = projectID
        self.sourceID = sourceID
        self.targetType = targetType
        self.targetID = targetID
        self.filterExpression = filterExpression
        self.enabled = enabled
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// What runs when a subscription matches.
public struct Job: Sendable, Equatable {
    public var id: UUID
    public var projectID: UUID
    public var name: String
    public var kind: JobKind
    /// For `http` jobs, the config without its headers (see ``headerNames``).
    public var config: JSONValue
    /// The names of an `http` job's headers, which are stored sealed; their values are never read back.
    public var headerNames: [String]
    public var maxAttempts: Int
    public var enabled: Bool
    public var createdAt: Date
    public var updatedAt: Date
    /// How failed runs are retried; `nil` for ``RetryPolicy/standard``.
    public var retryPolicy: RetryPolicy?
    /// Until when deliveries are also signed with the secret the last rotation replaced.
    public var previousSecretExpiresAt: Date?
    /// Concurrency, rate and circuit-breaker settings.
    public var limits: JobLimits
    /// The job's runtime state (circuit, slots in use), when read.
    public var circuit: JobCircuit?

    public static let defaultMaxAttempts = 10
    public static let maxAttemptsRange = 1...100

    public init(
        id: UUID, projectID: UUID, name: String, kind: JobKind, config: JSONValue, headerNames: [String] = [],
        maxAttempts: Int, enabled: Bool, createdAt: Date, updatedAt: Date, retryPolicy: RetryPolicy? = nil,
        previousSecretExpiresAt: Date? = nil, limits: JobLimits = JobLimits(), circuit: JobCircuit? = nil
    ) {
        self.retryPolicy = retryPolicy
        self.previousSecretExpiresAt = previousSecretExpiresAt
        self.limits = limits
        self.circuit = circuit
        self.id = id
        self.projectID = projectID
        self.name = name
        self.kind = kind
        self.config = config
        self.headerNames = headerNames
        self.maxAttempts = maxAttempts
        self.enabled = enabled
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
