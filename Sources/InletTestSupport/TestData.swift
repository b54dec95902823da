import Foundation

/// Locates the shared conformance data (`../shared/testdata` beside the repository root).
///
/// `INLET_TESTDATA` overrides the location; otherwise it is found relative to this source file, so tests
/// work from any checkout that has `shared/` beside it, as CI's does.
public enum TestData {
    public static let directory: URL = {
        if let override = ProcessInfo.processInfo.environment["INLET_TESTDATA"] {
            return URL(fileURLWithPath: override)
        }
        // The repository root → ../shared/testdata
        return TestDatabase.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/testdata")
    }()

    /// The bytes of a file under the test data directory, e.g. `load("filter/cases.json")`.
    public static func load(_ relativePath: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(relativePath))
    }
}
