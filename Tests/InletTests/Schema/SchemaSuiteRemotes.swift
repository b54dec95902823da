@testable import Inlet

/// The few documents of the official suite's `remotes/` folder (served at `http://localhost:1234/`) that the
/// required tests outside `refRemote.json` name. The validator fetches nothing, so the suite tests hand them to
/// ``JSONSchema`` as `resources`, exactly as an embedding application would register shared schemas.
enum SchemaSuiteRemotes {
    static let documents: [JSONValue] = texts.compactMap { try? JSONValue(parsing: $0) }

    private static let texts = [
        #"""
        {"$schema": "https://json-schema.org/draft/2020-12/schema",
         "$id": "http://localhost:1234/draft2020-12/metaschema-no-validation.json",
         "$vocabulary": {"https://json-schema.org/draft/2020-12/vocab/applicator": true,
                         "https://json-schema.org/draft/2020-12/vocab/core": true},
         "$dynamicAnchor": "meta",
         "allOf": [{"$ref": "https://json-schema.org/draft/2020-12/meta/applicator"},
                   {"$ref": "https://json-schema.org/draft/2020-12/meta/core"}]}
        """#,
        #"""
        {"$schema": "https://json-schema.org/draft/2020-12/schema",
         "$id": "http://localhost:1234/draft2020-12/metaschema-optional-vocabulary.json",
         "$vocabulary": {"https://json-schema.org/draft/2020-12/vocab/validation": true,
                         "https://json-schema.org/draft/2020-12/vocab/core": true,
                         "http://localhost:1234/draft/2020-12/vocab/custom": false},
         "$dynamicAnchor": "meta",
         "allOf": [{"$ref": "https://json-schema.org/draft/2020-12/meta/validation"},
                   {"$ref": "https://json-schema.org/draft/2020-12/meta/core"}]}
        """#,
        #"""
        {"$id": "http://localhost:1234/draft2020-12/detached-dynamicref.json",
         "$schema": "https://json-schema.org/draft/2020-12/schema",
         "$defs": {"foo": {"$dynamicRef": "#detached"},
                   "detached": {"$dynamicAnchor": "detached", "type": "integer"}}}
        """#,
        #"""
        {"$schema": "https://json-schema.org/draft/2020-12/schema",
         "$id": "http://localhost:1234/draft2020-12/tree.json",
         "$dynamicAnchor": "node", "type": "object",
         "properties": {"data": true, "children": {"type": "array", "items": {"$dynamicRef": "#node"}}}}
        """#,
        #"""
        {"$schema": "https://json-schema.org/draft/2020-12/schema",
         "$id": "http://localhost:1234/draft2020-12/extendible-dynamic-ref.json",
         "type": "object",
         "properties": {"elements": {"type": "array", "items": {"$dynamicRef": "#elements"}}},
         "required": ["elements"], "additionalProperties": false,
         "$defs": {"elements": {"$dynamicAnchor": "elements"}}}
        """#,
    ]
}
