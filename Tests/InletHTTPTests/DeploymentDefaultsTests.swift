import Foundation
import InletTestSupport
import Testing

/// The shipped `docker-compose.yml` is safe as it stands: no secret of its own, the API on loopback only, and
/// private delivery targets off unless the user turns them on.
@Suite struct DeploymentDefaultsTests {
    static func composeLines() throws -> [Substring] {
        let url = TestDatabase.repositoryRoot.appendingPathComponent("docker-compose.yml")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
    }

    /// The value of `KEY: value` lines for `key`, as written.
    static func values(of key: String, in lines: [Substring]) -> [String] {
        lines.compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix(key + ":") else { return nil }
            return trimmed.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces)
        }
    }

    @Test func composeShipsNoSecretsAndRefusesToStartWithoutThem() throws {
        let lines = try Self.composeLines()
        for key in ["INLET_SECRET_KEY", "INLET_ADMIN_TOKEN", "POSTGRES_PASSWORD"] {
            let values = Self.values(of: key, in: lines)
            #expect(!values.isEmpty, "\(key) is not set in the compose file")
            for value in values {
                #expect(value.hasPrefix("${\(key):?"), "\(key) must come from .env or the environment: \(value)")
            }
        }
        for url in Self.values(of: "DATABASE_URL", in: lines) {
            #expect(url.contains("${POSTGRES_PASSWORD:?"), "the database password is fixed: \(url)")
        }
    }

    @Test func composePublishesOnLoopbackWithPrivateTargetsOff() throws {
        let lines = try Self.composeLines()
        let published = lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            $0.hasPrefix("- \"") && $0.contains(":") && $0.split(separator: ":").count >= 3
        }
        #expect(!published.isEmpty)
        for port in published { #expect(port.hasPrefix("- \"127.0.0.1:"), "published on every interface: \(port)") }
        #expect(Self.values(of: "INLET_ALLOW_PRIVATE_TARGETS", in: lines) == ["${INLET_ALLOW_PRIVATE_TARGETS:-false}"])
    }
}
