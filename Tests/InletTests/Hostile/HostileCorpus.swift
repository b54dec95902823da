import Foundation
import InletTestSupport
import Testing

@testable import Inlet

/// One entry of `scripts/bench.d/hostile-corpus.json`: a tenant-controlled schema or filter and a payload shape
/// that would make a naive evaluator super-linear.
struct HostileCase: Sendable, CustomTestStringConvertible {
    enum Subject: Sendable {
        case schema(JSONValue)
        case filter(JSONValue)
    }

    let name: String
    let subject: Subject
    let payload: JSONValue
    let expected: Bool

    var testDescription: String { name }

    /// The payload at size `scale` × the generator's N.
    func payload(scale: Int) -> JSONValue { HostileCorpus.generate(payload, scale: scale) }

    /// Evaluates the case with an unlimited budget: the answer and the steps it took.
    func evaluate(scale: Int) throws -> (answer: Bool, steps: Int) {
        let budget = WorkBudget(steps: .max)
        let instance = payload(scale: scale)
        switch subject {
        case .schema(let schema):
            let valid = try JSONSchema(schema).isValid(instance, budget: budget)
            return (valid, budget.used)
        case .filter(let pattern):
            let set = CompiledFilterSet([(id: 0, pattern: try FilterPattern(pattern))])
            let matched = try set.matches(instance, budget: budget)
            return (!matched.isEmpty, budget.used)
        }
    }
}

enum HostileCorpus {
    /// `scripts/bench.d/hostile-corpus.json`, found from this file's path.
    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "../../../scripts/bench.d/hostile-corpus.json"
    ).standardizedFileURL

    static let cases: [HostileCase] = {
        do {
            let document = try JSONValue(parsing: Data(contentsOf: url))
            return (document["cases"]?.arrayValue ?? []).map { entry in
                let subject: HostileCase.Subject =
                    entry["schema"].map { .schema($0) } ?? .filter(entry["filter_expr"] ?? .null)
                return HostileCase(
                    name: entry["name"]?.stringValue ?? "?", subject: subject, payload: entry["payload"] ?? .null,
                    expected: entry["expect"]?.boolValue ?? false)
            }
        } catch {
            Issue.record("cannot load \(url.path): \(error)")
            return []
        }
    }()

    /// The value a payload generator describes (see the corpus's description), at size `scale` × its N.
    static func generate(_ generator: JSONValue, scale: Int) -> JSONValue {
        guard let payload = CorpusPayload.generate(generator, scale: scale) else {
            Issue.record("unknown payload generator \(generator.serialized())")
            return .null
        }
        return payload
    }
}
