// Written by scripts/openapi-client; do not edit.

/// Where the generated sources in Generated/ come from.
public enum GeneratedFrom {
    /// The SHA-256 of the openapi.json the sources were generated from.
    public static let openAPIDocumentSHA256 = "cf2b7dd20c8dcb9caccf443a45281982f53908c45a17a996bc6598dfe9b87b13"
    /// The swift-openapi-generator release that generated them.
    public static let generatorVersion = "1.14.3"
}
