import Foundation
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

    /// The value a payload generator describes (see the corpus's description), its size N multiplied by `scale`,
    /// placed where its `at` says.
    static func generate(_ generator: JSONValue, scale: Int) -> JSONValue {
        let value = value(of: generator, scale: scale)
        guard let at = generator["at"]?.stringValue, at.hasPrefix("/") else { return value }
        return .object(JSONObject([(key: String(at.dropFirst()), value: value)]))
    }

    private static func value(of generator: JSONValue, scale: Int) -> JSONValue {
        func size(_ key: String) -> Int { Int(generator[key]?.numberValue?.double ?? 0) * scale }
        if let unit = generator["string_of"]?.stringValue {
            let suffix = generator["suffix"]?.stringValue ?? ""
            return .string(String(repeating: unit, count: size("length")) + suffix)
        }
        if let element = generator["array_of"] {
            let count = size("length")
            if generator["distinct"]?.boolValue == true { return .array((0..<count).map { .int(Int64($0)) }) }
            return .array(Array(repeating: element, count: count))
        }
        if let prefix = generator["keys_of"]?.stringValue {
            return .object(JSONObject((0..<size("count")).map { (key: "\(prefix)\($0)", value: JSONValue.int(1)) }))
        }
        if let copies = generator["copies"]?.numberValue?.double, let inner = generator["of"] {
            return .array(Array(repeating: value(of: inner, scale: scale), count: Int(copies)))
        }
        Issue.record("unknown payload generator \(generator.serialized())")
        return .null
    }
}
