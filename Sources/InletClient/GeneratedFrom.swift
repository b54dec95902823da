// Written by scripts/openapi-client; do not edit.

/// Where the generated sources in Generated/ come from.
public enum GeneratedFrom {
    /// The SHA-256 of the openapi.json the sources were generated from.
    public static let openAPIDocumentSHA256 = "a609ba46cd7cd641d3cfa68da69567c6719f40fe888338e338304d4993096f51"
    /// The swift-openapi-generator release that generated them.
    public static let generatorVersion = "1.14.3"
}
