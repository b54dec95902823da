import Crypto
import Foundation
import InletClient
import InletTestSupport
import Testing

/// The committed generated sources belong to the committed document (scripts/openapi-client --check diffs them in
/// full, but needs the generator built; this needs nothing).
@Suite struct GeneratedClientTests {
    @Test func theGeneratedSourcesWereMadeFromTheCommittedDocument() throws {
        let document = try Data(contentsOf: TestDatabase.repositoryRoot.appendingPathComponent("openapi.json"))
        let digest = SHA256.hash(data: document).map { String(format: "%02x", $0) }.joined()
        #expect(
            digest == GeneratedFrom.openAPIDocumentSHA256,
            "openapi.json changed since Sources/InletClient/Generated was made: run scripts/openapi-client")
    }

    @Test func timestampsReadWithAndWithoutMilliseconds() throws {
        let transcoder = RFC3339DateTranscoder()
        let whole = try transcoder.decode("2026-11-26T15:37:07Z")
        let precise = try transcoder.decode("2026-11-26T15:37:07.125Z")
        #expect(precise.timeIntervalSince(whole) == 0.125)
        #expect(try transcoder.encode(whole) == "2026-11-26T15:37:07Z")
        #expect(try transcoder.encode(precise) == "2026-11-26T15:37:07.125Z")
    }
}
