// Written by scripts/openapi-client; do not edit.

/// Where the generated sources in Generated/ come from.
public enum GeneratedFrom {
    /// The SHA-256 of the openapi.json the sources were generated from.
    public static let openAPIDocumentSHA256 = "ff6fe1b7096863f019f537981474ac4904d46a523135780904d0ca4cbf19356b"
    /// The swift-openapi-generator release that generated them.
    public static let generatorVersion = "1.14.3"
}
