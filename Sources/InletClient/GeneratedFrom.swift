// Written by scripts/openapi-client; do not edit.

/// Where the generated sources in Generated/ come from.
public enum GeneratedFrom {
    /// The SHA-256 of the openapi.json the sources were generated from.
    public static let openAPIDocumentSHA256 = "980109f2fe0cef110931d460af6c3a83eb20611e40771b62c791fb9defc13da6"
    /// The swift-openapi-generator release that generated them.
    public static let generatorVersion = "1.14.3"
}
