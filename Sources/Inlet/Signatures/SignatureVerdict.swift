/// The outcome of verifying one inbound request.
///
/// The HTTP layer answers every `rejected` verdict with the same 401 and no detail, so a sender learns
/// nothing about which check failed. The ``SignatureRejection`` inside is for logs and tests only.
public enum SignatureVerdict: Sendable, Hashable {
    /// The request is authentic. For `standard-webhooks` the idempotency key is the `webhook-id`, which the
    /// dispatch path uses to drop redeliveries; the other schemes have none.
    case accepted(idempotencyKey: String?)
    case rejected(SignatureRejection)

    public var isAccepted: Bool {
        if case .accepted = self { return true }
        return false
    }

    /// Why the request was rejected, for logs; `nil` when it was accepted.
    public var reason: SignatureRejection? {
        if case .rejected(let reason) = self { return reason }
        return nil
    }

    /// The sender's message id to deduplicate on, when the scheme provides one.
    public var idempotencyKey: String? {
        if case .accepted(let key) = self { return key }
        return nil
    }
}

/// Which check rejected a request. Internal detail for logs and tests; never sent to the client.
public enum SignatureRejection: String, Error, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// A header the scheme needs is absent.
    case missingHeader = "missing_header"
    /// A header the scheme needs is present but empty.
    case emptyHeader = "empty_header"
    /// The signature header cannot be parsed (for example a Stripe header without `t`).
    case malformedHeader = "malformed_header"
    /// The timestamp is not a run of decimal digits.
    case nonNumericTimestamp = "non_numeric_timestamp"
    /// The timestamp is older than the tolerance.
    case expiredTimestamp = "expired_timestamp"
    /// The timestamp is further ahead than the tolerance.
    case futureTimestamp = "future_timestamp"
    /// The header holds no signature of the version the scheme verifies (`v1`).
    case noSignature = "no_signature"
    /// The signature's prefix is absent where required, or names another algorithm or version.
    case prefixMismatch = "prefix_mismatch"
    /// The signature is not the canonical encoding of a digest of the right length.
    case malformedSignature = "malformed_signature"
    /// The signature is well-formed but matches no configured secret.
    case signatureMismatch = "signature_mismatch"

    public var description: String { rawValue }
}
