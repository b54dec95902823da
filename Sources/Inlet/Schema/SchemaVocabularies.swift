/// The draft 2020-12 vocabularies whose keywords change validation; a meta-schema's `$vocabulary` can turn
/// them off (core is always on; meta-data, format-annotation and content only annotate).
struct SchemaVocabularies: OptionSet, Sendable {
    let rawValue: UInt8
    init(rawValue: UInt8) { self.rawValue = rawValue }
    static let applicator = SchemaVocabularies(rawValue: 1 << 0)
    static let unevaluated = SchemaVocabularies(rawValue: 1 << 1)
    static let validation = SchemaVocabularies(rawValue: 1 << 2)
    static let all: SchemaVocabularies = [.applicator, .unevaluated, .validation]

    private static let prefix = "https://json-schema.org/draft/2020-12/vocab/"
    private static let known: [String: SchemaVocabularies] = [
        "core": [], "applicator": .applicator, "unevaluated": .unevaluated, "validation": .validation,
        "meta-data": [], "format-annotation": [], "format-assertion": [], "content": [],
    ]

    /// The vocabularies a meta-schema declares; all of them when it has no `$vocabulary`.
    init(metaSchema: JSONValue, at location: String) throws(JSONSchemaError) {
        guard let declared = metaSchema["$vocabulary"] else {
            self = .all
            return
        }
        guard case .object(let members) = declared else {
            throw JSONSchemaError(
                code: .invalidKeyword, pointer: location + "/$vocabulary", message: "$vocabulary must be an object")
        }
        self = []
        for (uri, required) in members {
            guard case .bool(let isRequired) = required else {
                throw JSONSchemaError(
                    code: .invalidKeyword, pointer: JSONPointer.append(location + "/$vocabulary", uri),
                    message: "a $vocabulary value must be a boolean")
            }
            if uri.hasPrefix(Self.prefix), let vocabulary = Self.known[String(uri.dropFirst(Self.prefix.count))] {
                formUnion(vocabulary)
            } else if isRequired {
                throw JSONSchemaError(
                    code: .unsupportedDialect, pointer: JSONPointer.append(location + "/$vocabulary", uri),
                    message: "the meta-schema requires the unsupported vocabulary \"\(uri)\"")
            }
        }
    }
}
