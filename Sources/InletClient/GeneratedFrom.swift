// Written by scripts/openapi-client; do not edit.

/// Where the generated sources in Generated/ come from.
public enum GeneratedFrom {
    /// The SHA-256 of the openapi.json the sources were generated from.
    public static let openAPIDocumentSHA256 = "dcf153c69127f35e23a942a78357b0b640028aa2b85eba63b4da25e657ab6685"
    /// The swift-openapi-generator release that generated them.
    public static let generatorVersion = "1.14.3"
}
