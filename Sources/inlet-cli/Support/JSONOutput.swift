import Foundation
import InletClient
import OpenAPIRuntime

/// JSON as the API writes it: snake_case members, RFC 3339 timestamps.
enum JSONOutput {
    static func text<T: Encodable>(_ value: T, pretty: Bool) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        let transcoder = RFC3339DateTranscoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(try transcoder.encode(date))
        }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A compact rendering of a JSON value for a table cell (`{}` for an empty filter).
    static func compact<T: Encodable>(_ value: T) -> String {
        (try? text(value, pretty: false)) ?? "?"
    }

    /// A timestamp for people: RFC 3339, as the API writes it.
    static func time(_ date: Date?) -> String {
        guard let date else { return "-" }
        return (try? RFC3339DateTranscoder().encode(date)) ?? "\(date)"
    }
}

/// A JSON argument: the JSON text itself, or `@path` to read it from a file (`@-` for standard input).
struct JSONArgument {
    let data: Data

    init(_ argument: String) throws {
        if argument == "@-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else if argument.hasPrefix("@") {
            let path = String(argument.dropFirst())
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw CommandError("cannot read \(path)")
            }
            data = contents
        } else {
            data = Data(argument.utf8)
        }
    }

    func value() throws -> OpenAPIValueContainer {
        do {
            return try JSONDecoder().decode(OpenAPIValueContainer.self, from: data)
        } catch {
            throw CommandError("not valid JSON: \(String(decoding: data.prefix(80), as: UTF8.self))")
        }
    }

    func object() throws -> OpenAPIObjectContainer {
        do {
            return try JSONDecoder().decode(OpenAPIObjectContainer.self, from: data)
        } catch {
            throw CommandError("not a JSON object: \(String(decoding: data.prefix(80), as: UTF8.self))")
        }
    }
}
