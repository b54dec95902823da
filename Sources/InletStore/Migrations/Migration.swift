import Crypto
import Foundation

/// One numbered SQL file, `sql/NNNN_name.sql`, applied once in its own transaction.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String

    /// SHA-256 of the file, recorded when applied: an edited, already-applied file is an error.
    public var checksum: String {
        SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// Loads every `NNNN_name.sql` file of `directory`, in version order.
    public static func load(from directory: URL) throws -> [Migration] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        var migrations: [Migration] = []
        for file in files where file.hasSuffix(".sql") {
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]), version > 0 else {
                throw MigrationError(message: "migration file \(file) is not named NNNN_name.sql")
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            migrations.append(
                Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql))
        }
        migrations.sort { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw MigrationError(message: "two migrations have version \(next.version): \(previous.name), \(next.name)")
        }
        return migrations
    }

    /// Finds the `sql/` directory: `INLET_MIGRATIONS_DIR`, else `./sql`, else a `sql/` beside or above the
    /// running executable (a checkout's `.build/…/debug/inlet-server`, or `/app/sql` in the container).
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> URL
    {
        if let configured = environment["INLET_MIGRATIONS_DIR"], !configured.isEmpty {
            return URL(fileURLWithPath: configured)
        }
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("sql")]
        var directory = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(directory.appendingPathComponent("sql"))
            directory = directory.deletingLastPathComponent()
        }
        for candidate in candidates
        where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("0001_init.sql").path) {
            return candidate
        }
        throw MigrationError(message: "cannot find the sql/ migrations directory; set INLET_MIGRATIONS_DIR")
    }
}

/// Why migrations could not be applied.
public struct MigrationError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
