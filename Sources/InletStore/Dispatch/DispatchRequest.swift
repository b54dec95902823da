import Foundation
import Inlet

/// How a request names its event source.
public enum SourceReference: Hashable, Sendable {
    /// As a client of `POST /v1/events/dispatch` gives it: a source's name, or else its id. A name wins when a
    /// source is named like another one's id.
    case nameOrID(String)
    /// By id only (ingest URLs, replays of stored events).
    case id(UUID)
}

/// One event to dispatch, however it arrived.
public struct DispatchRequest: Sendable {
    public enum Via: String, Sendable {
        case api, ingest, replay
    }

    public var projectID: UUID
    public var source: SourceReference
    public var payload: EventPayload
    public var idempotencyKey: String?
    /// Recorded request headers (lower-case names) that filters can match with `$headers`.
    public var headers: [String: String]
    public var via: Via
    /// The signature scheme that verified an ingested request.
    public var verification: String?
    public var requestID: String?
    /// Asked while the payload is evaluated: `true` stops the work (the client went away, its deadline passed).
    public var isCancelled: (@Sendable () -> Bool)?
    /// When the runs may start at the earliest (`deliver_at`); a time in the past means at once.
    public var deliverAt: Date?
    /// How long after the event is stored the runs may start (`delay_ms`). With neither this nor ``deliverAt``,
    /// the source's `delivery_delay_ms` applies.
    public var delayMilliseconds: Int64?
    /// The ordering key of every run the event creates (`ordering_key`); without it, each subscription's
    /// `ordering_key_path` may read one from the payload.
    public var orderingKey: String?
    /// The W3C `traceparent` stored with the event and its runs; ``Dispatcher`` sets it from the current trace
    /// (``TraceContext/current``).
    public var traceparent: String?

    public init(
        projectID: UUID, source: SourceReference, payload: EventPayload, idempotencyKey: String? = nil,
        headers: [String: String] = [:], via: Via = .api, verification: String? = nil, requestID: String? = nil,
        isCancelled: (@Sendable () -> Bool)? = nil
    ) {
        self.projectID = projectID
        self.source = source
        self.payload = payload
        self.idempotencyKey = idempotencyKey
        self.headers = headers
        self.via = via
        self.verification = verification
        self.requestID = requestID
        self.isCancelled = isCancelled
    }
}

/// What dispatch did: the event (new, or the original of a duplicate) and how many runs it created.
public struct DispatchResult: Sendable, Equatable {
    public var eventID: UUID
    public var dispatched: Int
    public var duplicate: Bool
}
