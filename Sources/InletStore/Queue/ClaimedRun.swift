import Foundation
import Inlet

/// Which attempt of which run a worker holds: the fence every completion, heartbeat and release carries.
///
/// A run's lease belongs to one attempt by one worker; once the run is rescued (or re-claimed) its attempt
/// number moves on, so statements fenced by this key no longer match it.
public struct RunLease: Sendable, Hashable, CustomStringConvertible {
    public let projectID: UUID
    public let runID: UUID
    /// The attempt in progress (1 for the first).
    public let attempt: Int

    public init(projectID: UUID, runID: UUID, attempt: Int) {
        self.projectID = projectID
        self.runID = runID
        self.attempt = attempt
    }

    public var description: String { "\(runID.lowercasedString)#\(attempt)" }
}

/// A job run taken by ``JobRunQueue/claim(limit:workerID:leaseSeconds:)``, with everything needed to execute it:
/// the job's kind, configuration, sealed secret and sealed headers, and the event's payload and source name.
public struct ClaimedRun: Sendable {
    public let lease: RunLease
    public let eventID: UUID
    public let jobID: UUID
    public let jobName: String
    public let kind: JobKind
    /// Attempts allowed in all; when ``attempt`` reaches it, a failure makes the run `dead`.
    public let maxAttempts: Int
    /// The request that created the event (or the run), for logs.
    public let requestID: String?
    /// The job's `config` as JSON text, exactly as stored.
    public let configJSON: [UInt8]
    /// The job's signing secret, sealed by `SecretBox` with context `"job:" + job id`.
    public let sealedSigningSecret: [UInt8]
    /// An `http` job's headers, sealed by `SecretBox.seal(_:jobID:)`; `nil` when it has none.
    public let sealedHeaders: [UInt8]?
    /// The event's payload as JSON text, exactly as stored.
    public let payloadJSON: [UInt8]
    /// The name of the event's source.
    public let sourceName: String
    /// Whether this run is the probe of its job's open circuit: its outcome closes or re-opens the circuit.
    public let isCircuitProbe: Bool
    /// The W3C trace context stored with the run at dispatch: its execution continues that trace.
    public let traceparent: String?

    public init(
        lease: RunLease, eventID: UUID, jobID: UUID, jobName: String, kind: JobKind, maxAttempts: Int,
        requestID: String?, configJSON: [UInt8], sealedSigningSecret: [UInt8], sealedHeaders: [UInt8]? = nil,
        payloadJSON: [UInt8], sourceName: String, isCircuitProbe: Bool = false, traceparent: String? = nil
    ) {
        self.traceparent = traceparent
        self.lease = lease
        self.eventID = eventID
        self.jobID = jobID
        self.jobName = jobName
        self.kind = kind
        self.maxAttempts = maxAttempts
        self.requestID = requestID
        self.configJSON = configJSON
        self.sealedSigningSecret = sealedSigningSecret
        self.sealedHeaders = sealedHeaders
        self.payloadJSON = payloadJSON
        self.sourceName = sourceName
        self.isCircuitProbe = isCircuitProbe
    }

    public var projectID: UUID { lease.projectID }
    public var runID: UUID { lease.runID }
    public var attempt: Int { lease.attempt }
    /// Whether a failure of this attempt is the last one (the run becomes `dead`).
    public var isLastAttempt: Bool { attempt >= maxAttempts }

    /// The job's configuration, parsed.
    public func config() throws(JSONParseError) -> JSONValue { try JSONValue(parsing: configJSON) }

    /// The `SecretBox` context the job's signing secret is sealed with.
    public var signingSecretContext: String { "job:" + jobID.lowercasedString }
}
