import Inlet
import InletTestSupport

/// One evaluation measured by ``WorkBenchmark``: a schema or a set of filters, and a payload of about the body
/// limit, either a hostile corpus case scaled up or an honest shape.
struct WorkScenario {
    enum Subject {
        case schema(JSONValue)
        case filters([FilterPattern])
    }

    let name: String
    let kind: String
    let subject: Subject
    let payload: () -> JSONValue
    let expected: Bool

    /// Evaluates the payload with the budget: whether it is valid, or whether some filter matches.
    func evaluator() throws -> (JSONValue, WorkBudget) throws -> Bool {
        switch subject {
        case .schema(let document):
            let schema = try JSONSchema(document)
            return { instance, budget in try schema.isValid(instance, budget: budget) }
        case .filters(let patterns):
            let set = CompiledFilterSet(patterns.enumerated().map { (id: $0.offset, pattern: $0.element) })
            return { instance, budget in try !set.matches(instance, budget: budget).isEmpty }
        }
    }

    /// For filters: matching the payload's JSON text directly (``CompiledFilterSet/matches(json:headers:limits:budget:)``,
    /// one scan of the bytes, no tree), as dispatch does for a source without a schema.
    func textEvaluator() -> (([UInt8], WorkBudget) throws -> Bool)? {
        guard case .filters(let patterns) = subject else { return nil }
        let set = CompiledFilterSet(patterns.enumerated().map { (id: $0.offset, pattern: $0.element) })
        return { text, budget in try !set.matches(json: text, budget: budget).isEmpty }
    }

    /// A case of `scripts/bench.d/hostile-corpus.json`, its generator's N scaled so that the payload's text is
    /// about `bytes` long.
    init(hostile entry: JSONValue, bytes: Int) {
        func generate(_ generator: JSONValue, scale: Int) -> JSONValue {
            guard let payload = CorpusPayload.generate(generator, scale: scale) else {
                preconditionFailure("unknown payload generator \(generator.serialized())")
            }
            return payload
        }
        let generator = entry["payload"] ?? .null
        let unit = generate(generator, scale: 1).serialized().utf8.count
        let scale = max(1, bytes / max(unit, 1))
        name = entry["name"]?.stringValue ?? "?"
        kind = entry["schema"] != nil ? "hostile-schema" : "hostile-filter"
        subject =
            if let schema = entry["schema"] {
                .schema(schema)
            } else {
                .filters([try! FilterPattern(entry["filter_expr"] ?? .null)])
            }
        payload = { generate(generator, scale: scale) }
        expected = entry["expect"]?.boolValue ?? false
    }

    init(name: String, subject: Subject, expected: Bool = true, payload: @escaping () -> JSONValue) {
        self.name = name
        self.kind = "honest"
        self.subject = subject
        self.payload = payload
        self.expected = expected
    }
}

extension WorkScenario {
    /// Payloads an honest tenant may send at the body limit, with the schemas and filters they would use.
    static func honest(bytes: Int) -> [WorkScenario] {
        func member(_ key: String, _ value: JSONValue) -> JSONValue { .object(JSONObject([(key: key, value: value)])) }
        func text(_ unit: String) -> String { String(repeating: unit, count: max(1, bytes / unit.utf8.count)) }
        func pattern(_ regex: String) -> JSONValue {
            ["properties": ["s": ["type": "string", "pattern": .string(regex)]]]
        }
        let prose = #"^[\p{L}\p{N}\s.,;:!?'"()-]*$"#
        let item: JSONValue = [
            "type": "object", "required": ["id", "kind"],
            "properties": ["id": ["type": "integer", "minimum": 0], "kind": ["enum": ["a", "b", "c"]]],
        ]
        return [
            WorkScenario(name: "string-alphanumeric", subject: .schema(pattern("^[a-z0-9]+$"))) {
                member("s", .string(text("abcdefghijklmnopqrstuvwxyz0123456789")))
            },
            WorkScenario(name: "string-prose", subject: .schema(pattern(prose))) {
                member("s", .string(text("Lorem ipsum dolor sit amet, consectetur. ")))
            },
            WorkScenario(name: "string-prose-accented", subject: .schema(pattern(prose))) {
                member("s", .string(text("Ação rápida, café à noite; Größe überall. Добрый день! ")))
            },
            WorkScenario(
                name: "items-objects",
                subject: .schema(["properties": ["items": ["type": "array", "uniqueItems": true, "items": item]]])
            ) {
                let count = bytes / #"{"id":10000,"kind":"a"},"#.utf8.count
                return member(
                    "items",
                    .array((0..<count).map { ["id": .int(Int64($0)), "kind": "a"] }))
            },
            WorkScenario(
                name: "items-100k",
                subject: .schema([
                    "type": "array",
                    "items": ["type": "object", "required": ["k"], "properties": ["k": ["enum": ["a", "b", "c"]]]],
                ])
            ) { .array(Array(repeating: ["k": "a"], count: 100_000)) },
            WorkScenario(
                name: "property-names",
                subject: .schema([
                    "propertyNames": ["pattern": "^[a-z_][a-z0-9_]*$"], "additionalProperties": ["type": "integer"],
                ])
            ) {
                let count = bytes / #""field_100000":1,"#.utf8.count
                return .object(JSONObject((0..<count).map { (key: "field_\($0)", value: JSONValue.int(1)) }))
            },
            WorkScenario(name: "filters-mixed-100", subject: .filters(FilterBenchmark.mixedPatterns(100))) {
                largeEvent(bytes: bytes)
            },
        ]
    }

    /// The filter benchmark's commerce event with as many line items as fit in `bytes`.
    static func largeEvent(bytes: Int) -> JSONValue {
        let event = FilterBenchmark.event(type: "order.created.0")
        let line: (Int) -> JSONValue = { index in
            [
                "sku": .string("SKU-\(String(index, radix: 36).uppercased())QCPHP"), "qty": .int(Int64(index % 5 + 1)),
                "price": 19.99, "tags": ["gift", "fragile"],
            ]
        }
        let perLine = line(100_000).serialized().utf8.count + 1
        let count = max(1, (bytes - event.serialized().utf8.count) / perLine)
        guard var detail = event["detail"]?.objectValue, var root = event.objectValue else { return event }
        detail = JSONObject(
            detail.map { $0.key == "items" ? (key: "items", value: .array((0..<count).map(line))) : $0 })
        root = JSONObject(root.map { $0.key == "detail" ? (key: "detail", value: .object(detail)) : $0 })
        return .object(root)
    }
}
