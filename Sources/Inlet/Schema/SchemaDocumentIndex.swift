/// A place in one of the schema documents a compilation knows about.
struct SchemaLocation: Hashable, Sendable {
    var document: Int
    /// JSON pointer from the document's root, with tokens escaped.
    var pointer: String
}

/// The schema documents of one compilation and what identifies their parts: `$id` resources, `$anchor` and
/// `$dynamicAnchor` names, and the base URI in scope at every subschema.
///
/// Only keywords known to hold subschemas are searched, so an `$id` inside `enum`, `const` or an unknown
/// keyword identifies nothing, as the specification requires.
struct SchemaDocumentIndex {
    struct Document {
        var value: JSONValue
        var uri: SchemaURI
    }

    struct Scope {
        var base: SchemaURI
        var resource: Int
    }

    private(set) var documents: [Document] = []
    private(set) var resources: [String: SchemaLocation] = [:]
    private(set) var anchors: [String: SchemaLocation] = [:]
    private(set) var dynamicAnchors: [[String: SchemaLocation]] = []
    private var scopes: [SchemaLocation: Scope] = [:]
    private let maxDepth: Int

    init(maxDepth: Int) {
        self.maxDepth = maxDepth
    }

    /// Keywords whose value is one subschema.
    static let singleSchemaKeywords: Set<String> = [
        "items", "contains", "additionalProperties", "propertyNames", "not", "if", "then", "else",
        "unevaluatedItems", "unevaluatedProperties", "contentSchema",
    ]
    /// Keywords whose value is an object of subschemas.
    static let schemaMapKeywords: Set<String> = ["$defs", "properties", "patternProperties", "dependentSchemas"]
    /// Keywords whose value is an array of subschemas.
    static let schemaArrayKeywords: Set<String> = ["prefixItems", "allOf", "anyOf", "oneOf"]

    /// Adds a document retrieved from (or named) `uri`, and indexes it.
    mutating func add(_ value: JSONValue, uri: SchemaURI) throws(JSONSchemaError) -> Int {
        let document = documents.count
        documents.append(Document(value: value, uri: uri))
        let location = SchemaLocation(document: document, pointer: "")
        resources[uri.description] = location
        try walk(value, at: location, base: uri, resource: -1, depth: 0)
        return document
    }

    /// The base URI and resource in scope at `location`, also for places no walk reached (a `$ref` may point
    /// anywhere): those inherit from their nearest indexed ancestor.
    func scope(at location: SchemaLocation) -> Scope {
        var pointer = Substring(location.pointer)
        while true {
            if let scope = scopes[SchemaLocation(document: location.document, pointer: String(pointer))] {
                return scope
            }
            guard let slash = pointer.lastIndex(of: "/") else { break }
            pointer = pointer[..<slash]
        }
        return Scope(base: documents[location.document].uri, resource: 0)
    }

    /// The value at `location`, or `nil` if the pointer leads nowhere.
    func value(at location: SchemaLocation) -> JSONValue? {
        var value = documents[location.document].value
        guard !location.pointer.isEmpty else { return value }
        for token in location.pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let key = String(token).replacing("~1", with: "/").replacing("~0", with: "~")
            switch value {
            case .object(let object):
                guard let member = object[key] else { return nil }
                value = member
            case .array(let array):
                guard let index = Int(key), index >= 0, index < array.count, String(index) == key else { return nil }
                value = array[index]
            default:
                return nil
            }
        }
        return value
    }

    /// How violations and errors name `location`: a bare pointer in the main document, `uri#pointer` elsewhere.
    func describe(_ location: SchemaLocation) -> String {
        location.document == 0 ? location.pointer : "\(documents[location.document].uri)#\(location.pointer)"
    }

    private func error(_ message: String, at location: SchemaLocation) -> JSONSchemaError {
        JSONSchemaError(code: .invalidKeyword, pointer: describe(location), message: message)
    }

    private mutating func walk(
        _ value: JSONValue, at location: SchemaLocation, base: SchemaURI, resource: Int, depth: Int
    )
        throws(JSONSchemaError)
    {
        guard depth <= maxDepth else {
            throw JSONSchemaError(
                code: .tooComplex, pointer: describe(location),
                message: "schema is nested deeper than \(maxDepth) levels")
        }
        var base = base
        var resource = resource
        guard case .object(let object) = value else {
            scopes[location] = Scope(base: base, resource: max(resource, 0))
            return
        }
        if let id = object["$id"] {
            guard case .string(let text) = id, let reference = SchemaURI(text) else {
                throw error("$id must be a URI reference string", at: location)
            }
            guard reference.fragment?.isEmpty ?? true else {
                throw error("$id must not contain a non-empty fragment", at: location)
            }
            base = base.resolving(reference).withoutFragment
            if let existing = resources[base.description], existing != location, existing.document == location.document
            {
                throw error("$id \"\(base)\" identifies two different subschemas", at: location)
            }
            resources[base.description] = location
        }
        if resource < 0 || object["$id"] != nil {
            resource = dynamicAnchors.count
            dynamicAnchors.append([:])
        }
        for keyword in ["$anchor", "$dynamicAnchor"] {
            guard let anchor = object[keyword] else { continue }
            guard case .string(let name) = anchor, Self.isValidAnchor(name) else {
                throw error("\(keyword) must be a name matching ^[A-Za-z_][-A-Za-z0-9._]*$", at: location)
            }
            anchors["\(base)#\(name)"] = location
            if keyword == "$dynamicAnchor" { dynamicAnchors[resource][name] = location }
        }
        scopes[location] = Scope(base: base, resource: resource)
        for (key, member) in object {
            let pointer = JSONPointer.append(location.pointer, key)
            let child = { (pointer: String) in SchemaLocation(document: location.document, pointer: pointer) }
            if Self.singleSchemaKeywords.contains(key) {
                try walk(member, at: child(pointer), base: base, resource: resource, depth: depth + 1)
            } else if Self.schemaMapKeywords.contains(key), case .object(let members) = member {
                for (name, subschema) in members {
                    try walk(
                        subschema, at: child(JSONPointer.append(pointer, name)), base: base, resource: resource,
                        depth: depth + 2)
                }
            } else if Self.schemaArrayKeywords.contains(key), case .array(let elements) = member {
                for (offset, subschema) in elements.enumerated() {
                    try walk(
                        subschema, at: child(JSONPointer.append(pointer, offset)), base: base, resource: resource,
                        depth: depth + 2)
                }
            }
        }
    }

    /// `^[A-Za-z_][-A-Za-z0-9._]*$`, the grammar of `$anchor` and `$dynamicAnchor`.
    static func isValidAnchor(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII,
            first.properties.isAlphabetic || first == "_"
        else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (RegexCharacterClass.isWord(scalar.value) || scalar == "-" || scalar == ".")
        }
    }
}
