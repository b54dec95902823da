import Foundation
import InletTestSupport
import Testing

@testable import Inlet

/// One entry of the shared conformance data `filter/cases.json` (see its README).
struct FilterCase: Sendable, CustomTestStringConvertible {
    /// Tags marking reference-engine quirks that Inlet deliberately does not reproduce.
    static let skippedTags = ["legacy-$or-as-field", "key-order-sensitive"]

    let name: String
    let pattern: JSONValue
    /// The event, or `nil` for a case whose pattern must be rejected.
    let event: JSONValue?
    let matches: Bool

    var testDescription: String { name }
    var isValid: Bool { event != nil }

    func hasTag(_ tag: String) -> Bool { name.hasSuffix("[\(tag)]") || name.contains("[\(tag)] ") }

    var isSkipped: Bool { Self.skippedTags.contains(where: hasTag) }

    /// Every case in the file, in file order.
    static let all: [FilterCase] = {
        do {
            let document = try JSONValue(parsing: TestData.load("filter/cases.json"))
            return (document.arrayValue ?? []).map { entry in
                FilterCase(
                    name: entry["name"]?.stringValue ?? "?", pattern: entry["pattern"] ?? .null,
                    event: entry["event"], matches: entry["matches"]?.boolValue ?? false)
            }
        } catch {
            Issue.record("cannot load filter/cases.json: \(error)")
            return []
        }
    }()

    static var checked: [FilterCase] { all.filter { !$0.isSkipped } }
}
