/// Turns schema documents into a ``SchemaGraph``, checking every keyword on the way.
///
/// Subschemas are compiled from a work list rather than by recursion, so reference cycles and long reference
/// chains cost no stack; each location is compiled once, which makes recursive schemas finite graphs.
struct SchemaCompiler {
    var index: SchemaDocumentIndex
    let limits: JSONSchema.Limits
    private var nodes: [SchemaNode?] = []
    private var nodeIDs: [SchemaLocation: SchemaNodeID] = [:]
    private var queue: [(SchemaNodeID, SchemaLocation, JSONValue)] = []
    private var usedDynamicAnchors: Set<String> = []
    private var vocabularies: [Int: SchemaVocabularies] = [:]

    /// The base URI of a schema without `$id`; relative references resolve against it.
    static let defaultBase = SchemaURI(scheme: "inlet", authority: "", path: "/schema.json", query: nil, fragment: nil)

    init(root: JSONValue, resources: [JSONValue], limits: JSONSchema.Limits) throws(JSONSchemaError) {
        self.limits = limits
        index = SchemaDocumentIndex(maxDepth: limits.maxSchemaDepth)
        _ = try index.add(root, uri: Self.defaultBase)
        for (offset, resource) in resources.enumerated() {
            guard case .string(let text) = resource["$id"], let uri = SchemaURI(text), uri.scheme != nil else {
                throw JSONSchemaError(
                    code: .invalidKeyword, pointer: "", message: "resource \(offset) needs an absolute $id")
            }
            _ = try index.add(resource, uri: uri.withoutFragment)
        }
    }

    mutating func compile() throws(JSONSchemaError) -> SchemaGraph {
        let root = try nodeID(for: SchemaLocation(document: 0, pointer: ""), value: index.documents[0].value)
        try drain()
        // Every `$dynamicAnchor` a dynamic reference may land on must be compiled too.
        var compiledAnchors: Set<SchemaLocation> = []
        while true {
            var added = false
            for anchors in index.dynamicAnchors {
                for (name, location) in anchors where usedDynamicAnchors.contains(name) {
                    guard compiledAnchors.insert(location).inserted, let value = index.value(at: location) else {
                        continue
                    }
                    _ = try nodeID(for: location, value: value)
                    added = true
                }
            }
            guard added else { break }
            try drain()
        }
        let dynamicAnchors = index.dynamicAnchors.map { anchors in
            anchors.compactMapValues { nodeIDs[$0] }.filter { usedDynamicAnchors.contains($0.key) }
        }
        return SchemaGraph(nodes: nodes.compactMap { $0 }, root: root, dynamicAnchors: dynamicAnchors)
    }

    private mutating func drain() throws(JSONSchemaError) {
        while let (id, location, value) = queue.popLast() {
            nodes[id] = try compileNode(at: location, value: value)
        }
    }

    /// The node for the subschema at `location`, reserving it (and queueing its compilation) on first use.
    mutating func nodeID(for location: SchemaLocation, value: JSONValue) throws(JSONSchemaError) -> SchemaNodeID {
        if let id = nodeIDs[location] { return id }
        guard nodes.count < limits.maxSubschemas else {
            throw JSONSchemaError(
                code: .tooComplex, pointer: index.describe(location),
                message: "schema has more than \(limits.maxSubschemas) subschemas")
        }
        let id = nodes.count
        nodes.append(nil)
        nodeIDs[location] = id
        queue.append((id, location, value))
        return id
    }

    func error(_ message: String, at location: SchemaLocation, code: JSONSchemaError.Code = .invalidKeyword)
        -> JSONSchemaError
    {
        JSONSchemaError(code: code, pointer: index.describe(location), message: message)
    }

    private mutating func compileNode(at location: SchemaLocation, value: JSONValue) throws(JSONSchemaError)
        -> SchemaNode
    {
        let scope = index.scope(at: location)
        let describedLocation = index.describe(location)
        switch value {
        case .bool(let accepts):
            return SchemaNode(
                keywords: accepts ? [] : [.never], location: describedLocation, resource: scope.resource,
                tracksEvaluation: false)
        case .object(let object):
            var builder = SchemaKeywordBuilder(
                object: object, location: location, base: scope.base,
                vocabularies: try vocabularies(of: location.document), describedLocation: describedLocation)
            let keywords = try builder.build(with: &self)
            let tracks = keywords.contains {
                switch $0 {
                case .unevaluatedItems, .unevaluatedProperties: true
                default: false
                }
            }
            return SchemaNode(
                keywords: keywords, location: describedLocation, resource: scope.resource, tracksEvaluation: tracks)
        default:
            throw error("a schema must be an object or a boolean, found \(value.typeName)", at: location)
        }
    }

    /// Resolves a `$ref`/`$dynamicRef` value against `base`, loading a built-in meta-schema if it names one.
    mutating func resolve(_ text: String, base: SchemaURI, from location: SchemaLocation) throws(JSONSchemaError)
        -> (SchemaLocation, JSONValue, fragment: String?)
    {
        guard let reference = SchemaURI(text) else { throw error("\"\(text)\" is not a URI reference", at: location) }
        let target = base.resolving(reference)
        let fragment = target.decodedFragment
        guard let resource = try resourceLocation(target.withoutFragment.description) else {
            throw error("cannot resolve reference \"\(text)\"", at: location, code: .unresolvableReference)
        }
        var resolved = resource
        if let fragment, fragment.hasPrefix("/") {
            resolved.pointer += fragment
        } else if let fragment, !fragment.isEmpty {
            guard let anchored = index.anchors["\(target.withoutFragment)#\(fragment)"] else {
                throw error(
                    "cannot resolve reference \"\(text)\": no anchor \"\(fragment)\"", at: location,
                    code: .unresolvableReference)
            }
            resolved = anchored
        }
        guard let value = index.value(at: resolved) else {
            throw error("cannot resolve reference \"\(text)\"", at: location, code: .unresolvableReference)
        }
        return (resolved, value, fragment)
    }

    /// The location of the resource named `uri`, indexing a built-in meta-schema on first reference.
    private mutating func resourceLocation(_ uri: String) throws(JSONSchemaError) -> SchemaLocation? {
        if let location = index.resources[uri] { return location }
        guard let document = MetaSchemas.document(named: uri), let name = SchemaURI(uri) else { return nil }
        _ = try index.add(document, uri: name)
        return index.resources[uri]
    }

    mutating func noteDynamicAnchor(_ name: String) {
        usedDynamicAnchors.insert(name)
    }

    /// The vocabularies in force for a document, from the `$vocabulary` of the meta-schema its `$schema` names.
    private mutating func vocabularies(of document: Int) throws(JSONSchemaError) -> SchemaVocabularies {
        if let known = vocabularies[document] { return known }
        let root = SchemaLocation(document: document, pointer: "")
        var result = SchemaVocabularies.all
        if let dialect = index.documents[document].value["$schema"] {
            guard case .string(let text) = dialect, let uri = SchemaURI(text), uri.scheme != nil else {
                throw error("$schema must be an absolute URI", at: root)
            }
            var name = uri.withoutFragment.description
            if name == "http://json-schema.org/draft/2020-12/schema" { name = MetaSchemas.dialect }  // a common slip
            if name != MetaSchemas.dialect {
                guard !name.hasPrefix("http://json-schema.org/"), let location = try resourceLocation(name),
                    let metaSchema = index.value(at: location)
                else {
                    throw error(
                        "unsupported $schema \"\(text)\": only draft 2020-12 is supported", at: root,
                        code: .unsupportedDialect)
                }
                result = try SchemaVocabularies(metaSchema: metaSchema, at: index.describe(location))
            }
        }
        vocabularies[document] = result
        return result
    }
}
