import Foundation
import Inlet
import InletTestSupport
import Testing

@testable import InletHTTP

/// The repository's `openapi.json` is the published contract: it must be the document the server serves.
@Suite struct OpenAPIContractFileTests {
    @Test func theCommittedDocumentIsTheServedOne() throws {
        let url = TestDatabase.repositoryRoot.appendingPathComponent("openapi.json")
        let committed = try JSONValue(parsing: Array(try Data(contentsOf: url)))
        let difference = Self.firstDifference(committed, OpenAPIDocument.json, at: "")
        #expect(
            difference == nil,
            "openapi.json differs from the served document at \(difference ?? ""); run scripts/openapi-export")
    }

    /// The JSON pointer of the first place where `lhs` and `rhs` differ, or `nil` when they are equal.
    static func firstDifference(_ lhs: JSONValue, _ rhs: JSONValue, at path: String) -> String? {
        switch (lhs, rhs) {
        case (.object(let left), .object(let right)):
            for key in Set(left.keys).union(right.keys).sorted() {
                guard let l = left[key], let r = right[key] else { return JSONPointer.append(path, key) }
                if let difference = firstDifference(l, r, at: JSONPointer.append(path, key)) { return difference }
            }
            return nil
        case (.array(let left), .array(let right)):
            for index in 0..<max(left.count, right.count) {
                guard index < left.count, index < right.count else { return "\(path)/\(index)" }
                if let difference = firstDifference(left[index], right[index], at: "\(path)/\(index)") {
                    return difference
                }
            }
            return nil
        default:
            return lhs == rhs ? nil : (path.isEmpty ? "/" : path)
        }
    }
}
