import Foundation

/// The console's files (`Sources/InletHTTP/Console/Assets`), embedded in the binary so that `inlet-server` needs
/// nothing beside it. `scripts/console-assets` writes ``encoded`` from the files; `ConsoleTests` checks that it is
/// current.
enum ConsoleAssets {
    struct File: Sendable {
        let contentType: String
        let bytes: [UInt8]
    }

    /// The decoded files by name.
    static let files: [String: File] = Dictionary(
        uniqueKeysWithValues: encoded.map { name, base64 in
            let bytes = Data(base64Encoded: base64, options: .ignoreUnknownCharacters).map { [UInt8]($0) } ?? []
            return (name, File(contentType: contentType(of: name), bytes: bytes))
        })

    static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last ?? "" {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "json": "application/json"
        default: "application/octet-stream"
        }
    }
}
