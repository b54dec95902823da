import Foundation
import Inlet
import Logging

extension LoggingSystem {
    /// Text (the default, for terminals) or one JSON object per line (`INLET_LOG_FORMAT=json`), on stderr.
    /// `metadataProvider` adds metadata to every record (the trace and span ids when tracing is on).
    public static func bootstrap(
        format: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil
    ) {
        bootstrap(
            { label, provider in
                var handler: any LogHandler =
                    format == "json"
                    ? JSONLogHandler(label: label, metadataProvider: provider)
                    : StreamLogHandler.standardError(label: label, metadataProvider: provider)
                handler.logLevel = level
                return handler
            }, metadataProvider: metadataProvider)
    }
}

/// Writes each log record as one JSON line: time, level, label, message and metadata.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    let label: String

    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Numbers as JSON numbers (a status, a duration), everything else as its text.
    static func json(_ value: Logger.MetadataValue) -> Any {
        if case .stringConvertible(let convertible) = value {
            switch convertible {
            case let number as Int: return number
            case let number as Int64: return number
            case let number as UInt: return number
            case let number as Double where number.isFinite: return number
            default: break
            }
        }
        return "\(value)"
    }

    public func log(event: LogEvent) {
        var fields: [String: Any] = [:]
        let provided = metadataProvider?.get() ?? [:]
        for (key, value) in provided.merging(metadata, uniquingKeysWith: { $1 }).merging(
            event.metadata ?? [:], uniquingKeysWith: { $1 })
        {
            fields[key] = Self.json(value)
        }
        var object: [String: Any] = [
            "time": Timestamp.string(Date(), fractional: true), "level": event.level.rawValue, "label": label,
            "message": "\(event.message)",
        ]
        for (key, value) in fields { object[key] = value }
        guard var data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        data.append(0x0A)
        FileHandle.standardError.write(data)
    }
}
