import Foundation
import InletTestSupport
import Testing

@testable import Inlet

/// One test of the official JSON-Schema-Test-Suite (draft 2020-12), from `shared/testdata/json-schema`.
struct SchemaSuiteCase: Sendable, CustomTestStringConvertible {
    let file: String
    let group: String
    let test: String
    let schema: JSONValue
    let data: JSONValue
    let valid: Bool

    var testDescription: String { "\(file) / \(group) / \(test)" }
}

/// The suite's files, with those that cannot run here and why.
enum SchemaSuite {
    static let directory = "json-schema/draft2020-12"
    static let skippedFiles = [
        "refRemote.json": "needs remote documents from http://localhost:1234, and the validator fetches nothing"
    ]

    static let files: [String] = {
        let url = TestData.directory.appendingPathComponent(directory)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    static func load(_ file: String) -> [SchemaSuiteCase] {
        guard let data = try? TestData.load("\(directory)/\(file)"), let groups = try? JSONValue(parsing: data),
            case .array(let groupList) = groups
        else { return [] }
        var cases: [SchemaSuiteCase] = []
        for group in groupList {
            guard let schema = group["schema"], case .array(let tests) = group["tests"] else { continue }
            for test in tests {
                guard let instance = test["data"], case .bool(let valid) = test["valid"] else { continue }
                cases.append(
                    SchemaSuiteCase(
                        file: file, group: group["description"]?.stringValue ?? "?",
                        test: test["description"]?.stringValue ?? "?", schema: schema, data: instance, valid: valid))
            }
        }
        return cases
    }

    static let cases: [SchemaSuiteCase] = files.filter { skippedFiles[$0] == nil }.flatMap(load)
    static let skippedCases: [SchemaSuiteCase] = files.filter { skippedFiles[$0] != nil }.flatMap(load)
}

@Suite struct SchemaSuiteTests {
    @Test(arguments: SchemaSuite.cases)
    func conformance(_ suiteCase: SchemaSuiteCase) throws {
        let schema = try JSONSchema(suiteCase.schema, resources: SchemaSuiteRemotes.documents)
        #expect(schema.isValid(suiteCase.data) == suiteCase.valid)
        let violations = schema.validate(suiteCase.data)
        #expect(violations.isEmpty == suiteCase.valid, "violations: \(violations)")
    }

    @Test func suiteIsCompleteApartFromRemoteReferences() {
        for (file, reason) in SchemaSuite.skippedFiles {
            let count = SchemaSuite.skippedCases.filter { $0.file == file }.count
            print("JSON Schema suite: skipped \(file) (\(count) tests): \(reason)")
        }
        print("JSON Schema suite: running \(SchemaSuite.cases.count) tests from \(SchemaSuite.files.count - 1) files")
        #expect(SchemaSuite.files.count == 46)
        #expect(SchemaSuite.skippedCases.count == 31)
        #expect(SchemaSuite.cases.count + SchemaSuite.skippedCases.count == 1299)
    }
}
