import Testing

@testable import Inlet

@Suite struct SchemaCompileErrorTests {
    func compileError(_ text: String) throws -> JSONSchemaError? {
        let schema = try JSONValue(parsing: text)
        do {
            _ = try JSONSchema(schema)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        (#"{"type": "strnig"}"#, JSONSchemaError.Code.invalidKeyword, "/type"),
        (#"{"type": []}"#, .invalidKeyword, "/type"),
        (#"{"minLength": -1}"#, .invalidKeyword, "/minLength"),
        (#"{"maxItems": 1.5}"#, .invalidKeyword, "/maxItems"),
        (#"{"multipleOf": 0}"#, .invalidKeyword, "/multipleOf"),
        (#"{"pattern": "("}"#, .invalidPattern, "/pattern"),
        (#"{"properties": {"a": {"pattern": "\\1(a)"}}}"#, .invalidPattern, "/properties/a/pattern"),
        (#"{"patternProperties": {"(?<=a)b": {}}}"#, .invalidPattern, "/patternProperties"),
        (##"{"$ref": "#/nope"}"##, .unresolvableReference, "/$ref"),
        (##"{"$ref": "#nope"}"##, .unresolvableReference, "/$ref"),
        (#"{"$ref": "https://example.com/other.json"}"#, .unresolvableReference, "/$ref"),
        (#"{"properties": {"a": {"required": ["x", "x"]}}}"#, .invalidKeyword, "/properties/a/required"),
        (#"{"required": "x"}"#, .invalidKeyword, "/required"),
        (#"{"items": 5}"#, .invalidKeyword, "/items"),
        (#"{"items": [{}]}"#, .invalidKeyword, "/items"),
        (#"{"allOf": []}"#, .invalidKeyword, "/allOf"),
        (#"{"$defs": {"broken": {"enum": 1}}}"#, .invalidKeyword, "/$defs/broken/enum"),
        (#"{"$anchor": "1bad"}"#, .invalidKeyword, ""),
        (#"{"$schema": "http://json-schema.org/draft-07/schema#"}"#, .unsupportedDialect, ""),
        (#"{"$schema": "https://example.com/unknown-dialect"}"#, .unsupportedDialect, ""),
        ("42", .invalidKeyword, ""),
        (#"{"$defs": {"a": {"$id": "x.json"}, "b": {"$id": "x.json"}}}"#, .invalidKeyword, "/$defs/b"),
    ])
    func rejectsInvalidSchemaWithPointer(text: String, code: JSONSchemaError.Code, pointer: String) throws {
        let error = try #require(try compileError(text))
        #expect(error.code == code)
        #expect(error.pointer == pointer)
        #expect(!error.message.isEmpty)
    }

    @Test func messagesNameTheProblem() throws {
        #expect(try compileError(#"{"type": "strnig"}"#)?.message.contains(#"unknown type "strnig""#) == true)
        #expect(try compileError(##"{"$ref": "#/nope"}"##)?.message == ##"cannot resolve reference "#/nope""##)
    }

    @Test func acceptsTheMetaSchemaAndSchemasThatUseIt() throws {
        let metaSchema = try JSONSchema(["$ref": "https://json-schema.org/draft/2020-12/schema"])
        #expect(metaSchema.isValid(try JSONValue(parsing: #"{"type": "object", "properties": {"a": {"minimum": 1}}}"#)))
        let violations = metaSchema.validate(try JSONValue(parsing: #"{"properties": {"a": {"minLength": -1}}}"#))
        #expect(violations.contains { $0.path == "/properties/a/minLength" && $0.keyword == "minimum" })
    }
}

@Suite struct SchemaLimitTests {
    @Test func selfReferenceWithoutProgressBecomesAViolation() throws {
        for text in [
            ##"{"$ref": "#"}"##, ##"{"anyOf": [{"$ref": "#"}, {"$ref": "#"}]}"##, ##"{"not": {"$ref": "#"}}"##,
        ] {
            let schema = try JSONSchema(try JSONValue(parsing: text))
            #expect(!schema.isValid(1))
            let violations = schema.validate(1)
            #expect(violations.count == 1)
            #expect(violations.first?.message.contains("exceeds") == true)
        }
    }

    @Test func deepInstancesOfRecursiveSchemasStopAtTheDepthLimit() throws {
        let schema = try JSONSchema(try JSONValue(parsing: ##"{"type": "array", "items": {"$ref": "#"}}"##))
        func nested(_ depth: Int) -> JSONValue {
            (0..<depth).reduce(JSONValue.array([])) { inner, _ in .array([inner]) }
        }
        #expect(schema.isValid(nested(100)))
        #expect(!schema.isValid(nested(5_000)))
        #expect(schema.validate(nested(5_000)).count == 1)
    }

    @Test func deepSchemasAreRefusedAtCompileTime() throws {
        let deep = (0..<1_000).reduce(JSONValue.bool(true)) { inner, _ in ["items": inner] }
        #expect(throws: JSONSchemaError.self) { try JSONSchema(deep) }
        do {
            _ = try JSONSchema(deep)
        } catch {
            #expect(error.code == .tooComplex)
        }
    }

    @Test func largeSchemasAreRefusedAtCompileTime() throws {
        let properties = JSONObject((0..<200).map { (key: "p\($0)", value: JSONValue.object(JSONObject())) })
        let limits = JSONSchema.Limits(maxSubschemas: 100)
        #expect(throws: JSONSchemaError.self) { try JSONSchema(["properties": .object(properties)], limits: limits) }
    }

    @Test func exponentialReferenceFanOutIsBounded() throws {
        // Each level applies the next one twice to the same instance: 2^40 evaluations without a step limit.
        var defs = JSONObject()
        for level in 0..<40 {
            defs["l\(level)"] = [
                "allOf": [["$ref": .string("#/$defs/l\(level + 1)")], ["$ref": .string("#/$defs/l\(level + 1)")]]
            ]
        }
        defs["l40"] = ["type": "integer"]
        let schema = try JSONSchema(["$defs": .object(defs), "$ref": "#/$defs/l0"])
        #expect(!schema.isValid(1))
        #expect(schema.validate(1).first?.message.contains("steps") == true)
    }

    @Test func catastrophicPatternsMatchInLinearTime() throws {
        let schema = try JSONSchema(["pattern": "^(a+)+$", "patternProperties": ["^(a|aa)*$": true]])
        let hostile = String(repeating: "a", count: 20_000) + "!"
        let clock = ContinuousClock()
        let elapsed = clock.measure { #expect(!schema.isValid(.string(hostile))) }
        #expect(elapsed < .seconds(5))
    }
}
