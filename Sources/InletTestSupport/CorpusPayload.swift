import Inlet

/// The payload generators of `scripts/bench.d/hostile-corpus.json` (see the corpus's description): shared by the
/// corpus tests and `inlet-bench work`, so both evaluate exactly the same payloads.
public enum CorpusPayload {
    /// The value `generator` describes, its size N multiplied by `scale`, placed where its `at` says; `nil` for a
    /// generator this code does not know.
    public static func generate(_ generator: JSONValue, scale: Int) -> JSONValue? {
        guard let value = value(of: generator, scale: scale) else { return nil }
        guard let at = generator["at"]?.stringValue, at.hasPrefix("/") else { return value }
        return .object(JSONObject([(key: String(at.dropFirst()), value: value)]))
    }

    private static func value(of generator: JSONValue, scale: Int) -> JSONValue? {
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
        if let copies = generator["copies"]?.numberValue?.double, let inner = generator["of"],
            let element = value(of: inner, scale: scale)
        {
            return .array(Array(repeating: element, count: Int(copies)))
        }
        return nil
    }
}
