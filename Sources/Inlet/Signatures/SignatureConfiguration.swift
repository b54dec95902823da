/// An event source's validated signature settings: `signature_scheme`, `signature_header`,
/// `signature_algorithm` and `signature_encoding`, with the scheme's defaults filled in.
///
/// Rules, checked by the initialiser:
/// - `hmac` needs `signature_header`, an HTTP field name (RFC 9110 token characters, at most 128);
///   `signature_algorithm` defaults to `hmac-sha256` and `signature_encoding` to `hex`.
/// - `standard-webhooks`, `stripe` and `slack` fix their header (`webhook-signature`, `stripe-signature`,
///   `x-slack-signature`), their algorithm (`hmac-sha256`) and their encoding (`base64`, `hex`, `hex`).
///   Leaving a setting out takes the fixed value; giving the same value (header names in any case) is
///   accepted; giving another value is a `conflict` error.
/// - `none` takes no header, algorithm or encoding; giving any is a `conflict` error.
///
/// Secrets are checked separately, by ``validate(secret:)``, because a source keeps its settings across
/// secret rotations.
public struct SignatureConfiguration: Sendable, Hashable {
    public let scheme: SignatureScheme
    /// The header that carries the signature, as configured (matched without regard to case).
    /// `nil` only for `none`.
    public let header: String?
    /// `nil` only for `none`.
    public let algorithm: SignatureAlgorithm?
    /// `nil` only for `none`.
    public let encoding: SignatureEncoding?

    /// The longest accepted `signature_header`.
    public static let maximumHeaderLength = 128
    /// The longest accepted signing secret, in UTF-8 bytes.
    public static let maximumSecretLength = 1024
    /// The accepted sizes of a Standard Webhooks key, in bytes after base64 decoding.
    public static let standardWebhooksKeySizes = 24...64

    public init(
        scheme: SignatureScheme,
        header: String? = nil,
        algorithm: SignatureAlgorithm? = nil,
        encoding: SignatureEncoding? = nil
    ) throws(SignatureConfigurationError) {
        switch scheme {
        case .hmac:
            guard let header, !header.isEmpty else {
                throw SignatureConfigurationError(
                    code: .missing, field: "signature_header", message: "the hmac scheme needs a signature header")
            }
            guard header.utf8.count <= Self.maximumHeaderLength, header.utf8.allSatisfy(Self.isTokenCharacter) else {
                throw SignatureConfigurationError(
                    code: .invalid, field: "signature_header",
                    message: "must be an HTTP header name of at most \(Self.maximumHeaderLength) characters")
            }
            self.init(validated: .hmac, header: header, algorithm: algorithm ?? .hmacSHA256, encoding: encoding ?? .hex)
        case .standardWebhooks:
            try self.init(
                fixed: scheme, header: "webhook-signature", encoding: .base64, given: (header, algorithm, encoding))
        case .stripe:
            try self.init(
                fixed: scheme, header: "stripe-signature", encoding: .hex, given: (header, algorithm, encoding))
        case .slack:
            try self.init(
                fixed: scheme, header: "x-slack-signature", encoding: .hex, given: (header, algorithm, encoding))
        case .none:
            for (field, value) in [
                ("signature_header", header), ("signature_algorithm", algorithm?.rawValue),
                ("signature_encoding", encoding?.rawValue),
            ] where value != nil {
                throw SignatureConfigurationError(
                    code: .conflict, field: field, message: "the none scheme takes no \(field)")
            }
            self.init(validated: .none, header: nil, algorithm: nil, encoding: nil)
        }
    }

    /// Checks that `secret` can sign for this scheme: non-empty and at most ``maximumSecretLength`` bytes
    /// for every scheme but `none`, and for `standard-webhooks` `whsec_` followed by canonical standard
    /// base64 of a key of 24 to 64 bytes. Errors name the field `signing_secret` and never quote the secret.
    public func validate(secret: SigningSecret) throws(SignatureConfigurationError) {
        guard scheme != .none else { return }
        let text = secret.unredactedText
        guard !text.isEmpty else {
            throw SignatureConfigurationError(code: .missing, field: "signing_secret", message: "must not be empty")
        }
        guard text.utf8.count <= Self.maximumSecretLength else {
            throw SignatureConfigurationError(
                code: .invalid, field: "signing_secret",
                message: "must be at most \(Self.maximumSecretLength) bytes")
        }
        if scheme == .standardWebhooks {
            guard let key = secret.key(for: .standardWebhooks), Self.standardWebhooksKeySizes.contains(key.count)
            else {
                throw SignatureConfigurationError(
                    code: .invalid, field: "signing_secret",
                    message: "a standard-webhooks secret is whsec_ followed by the base64 of a 24 to 64 byte key")
            }
        }
    }

    /// A scheme that fixes its settings: each given value must equal the fixed one.
    private init(
        fixed scheme: SignatureScheme,
        header fixedHeader: String,
        encoding fixedEncoding: SignatureEncoding,
        given: (header: String?, algorithm: SignatureAlgorithm?, encoding: SignatureEncoding?)
    ) throws(SignatureConfigurationError) {
        if let header = given.header, header.lowercased() != fixedHeader {
            throw Self.conflict("signature_header", scheme: scheme, fixedValue: fixedHeader)
        }
        if let algorithm = given.algorithm, algorithm != .hmacSHA256 {
            throw Self.conflict("signature_algorithm", scheme: scheme, fixedValue: "hmac-sha256")
        }
        if let encoding = given.encoding, encoding != fixedEncoding {
            throw Self.conflict("signature_encoding", scheme: scheme, fixedValue: fixedEncoding.rawValue)
        }
        self.init(validated: scheme, header: fixedHeader, algorithm: .hmacSHA256, encoding: fixedEncoding)
    }

    private init(
        validated scheme: SignatureScheme,
        header: String?,
        algorithm: SignatureAlgorithm?,
        encoding: SignatureEncoding?
    ) {
        self.scheme = scheme
        self.header = header
        self.algorithm = algorithm
        self.encoding = encoding
    }

    private static func conflict(
        _ field: String, scheme: SignatureScheme, fixedValue: String
    ) -> SignatureConfigurationError {
        SignatureConfigurationError(
            code: .conflict, field: field,
            message: "the \(scheme.rawValue) scheme always uses \(fixedValue); leave \(field) out")
    }

    /// RFC 9110 `tchar`: the characters of an HTTP field name.
    private static func isTokenCharacter(_ character: UInt8) -> Bool {
        switch character {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(character)
        }
    }
}
