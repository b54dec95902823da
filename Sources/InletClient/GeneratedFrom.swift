// Written by scripts/openapi-client; do not edit.

/// Where the generated sources in Generated/ come from.
public enum GeneratedFrom {
    /// The SHA-256 of the openapi.json the sources were generated from.
    public static let openAPIDocumentSHA256 = "ef7e760b5ec4c12c0effb174f517d802f1f29404a92a5e527fb4f980e87d7992"
    /// The swift-openapi-generator release that generated them.
    public static let generatorVersion = "1.14.3"
}
