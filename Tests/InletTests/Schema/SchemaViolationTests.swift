import Testing

@testable import Inlet

@Suite struct SchemaViolationTests {
    static let orderSchema = #"""
        {
          "type": "object",
          "required": ["id", "amount", "customer"],
          "properties": {
            "id": {"type": "string", "pattern": "^evt_[a-z0-9]+$"},
            "amount": {"type": "integer", "minimum": 0},
            "currency": {"enum": ["usd", "eur"]},
            "customer": {
              "type": "object",
              "required": ["email"],
              "properties": {"email": {"type": "string", "minLength": 3}}
            },
            "items": {
              "type": "array",
              "items": {
                "type": "object",
                "required": ["sku"],
                "properties": {"sku": {"type": "string"}, "quantity": {"type": "integer", "minimum": 1}}
              }
            }
          },
          "additionalProperties": false
        }
        """#

    func schema(_ text: String) throws -> JSONSchema {
        try JSONSchema(try JSONValue(parsing: text))
    }

    @Test func validEventHasNoViolations() throws {
        let schema = try schema(Self.orderSchema)
        let event = try JSONValue(
            parsing: #"{"id": "evt_1", "amount": 1250, "currency": "eur", "customer": {"email": "a@b.c"}, "items": []}"#
        )
        #expect(schema.isValid(event))
        #expect(schema.validate(event).isEmpty)
    }

    @Test func reportsEveryViolationWithInstancePathKeywordAndMessage() throws {
        let schema = try schema(Self.orderSchema)
        let event = try JSONValue(
            parsing: #"""
                {"id": "evt_1", "amount": "12", "currency": "gbp", "customer": {"name": "x"},
                 "items": [{"sku": "a", "quantity": 1}, {"quantity": 0}], "extra": true}
                """#)
        #expect(!schema.isValid(event))
        let violations = schema.validate(event)
        let expected = [
            SchemaViolation(
                path: "/amount", keyword: "type", schemaPath: "/properties/amount/type",
                message: "expected integer, found string"),
            SchemaViolation(
                path: "/currency", keyword: "enum", schemaPath: "/properties/currency/enum",
                message: #"value must be one of "usd", "eur""#),
            SchemaViolation(
                path: "/customer", keyword: "required", schemaPath: "/properties/customer/required",
                message: #"missing required property "email""#),
            SchemaViolation(
                path: "/items/1", keyword: "required", schemaPath: "/properties/items/items/required",
                message: #"missing required property "sku""#),
            SchemaViolation(
                path: "/items/1/quantity", keyword: "minimum",
                schemaPath: "/properties/items/items/properties/quantity/minimum",
                message: "0 is less than the minimum of 1"),
            SchemaViolation(
                path: "/extra", keyword: "additionalProperties", schemaPath: "/additionalProperties",
                message: #"property "extra" is not allowed"#),
        ]
        #expect(Set(violations) == Set(expected))
        #expect(violations.count == expected.count)
    }

    @Test func reportsEachMissingRequiredPropertyAtTheObject() throws {
        let violations = try schema(Self.orderSchema).validate(["id": "evt_1"])
        #expect(
            violations.map(\.message) == [
                #"missing required property "amount""#, #"missing required property "customer""#,
            ])
        #expect(violations.allSatisfy { $0.path == "" && $0.keyword == "required" && $0.schemaPath == "/required" })
    }

    @Test func typeMismatchAtTheRootNamesBothTypes() throws {
        let violations = try schema(#"{"type": ["object", "null"]}"#).validate([1, 2])
        #expect(
            violations == [
                SchemaViolation(
                    path: "", keyword: "type", schemaPath: "/type", message: "expected null or object, found array")
            ])
    }

    @Test func pathsEscapeKeysAsJSONPointers() throws {
        let schema = try schema(#"{"properties": {"a/b~c": {"type": "string"}}}"#)
        #expect(schema.validate(["a/b~c": 1]).map(\.path) == ["/a~1b~0c"])
        #expect(schema.validate(["a/b~c": 1]).map(\.schemaPath) == ["/properties/a~1b~0c/type"])
    }

    @Test func violationsThroughReferencesPointAtTheReferencedKeyword() throws {
        let schema = try schema(
            ##"{"$defs": {"money": {"type": "integer"}}, "properties": {"total": {"$ref": "#/$defs/money"}}}"##)
        let violations = schema.validate(["total": 1.5])
        #expect(violations.map(\.schemaPath) == ["/$defs/money/type"])
        #expect(violations.map(\.path) == ["/total"])
    }

    @Test func violationsAreCapped() throws {
        let schema = try schema(#"{"items": {"type": "string"}}"#)
        let instance = JSONValue.array((0..<500).map { .int(Int64($0)) })
        #expect(schema.validate(instance).count == JSONSchema.Limits.default.maxViolations)
    }

    @Test func numbersCompareExactly() throws {
        let schema = try schema(#"{"maximum": 18446744073709551615, "multipleOf": 0.0001}"#)
        #expect(schema.isValid(try JSONValue(parsing: "18446744073709551615")))
        #expect(!schema.isValid(try JSONValue(parsing: "18446744073709551616")))
        #expect(schema.isValid(0.0075))
        #expect(schema.validate(0.00751).map(\.message) == ["0.00751 is not a multiple of 0.0001"])
    }

    @Test func lengthCountsCodePoints() throws {
        let schema = try schema(#"{"maxLength": 2, "minLength": 2}"#)
        #expect(schema.isValid("😀é"))
        #expect(!schema.isValid("😀😀😀"))
        #expect(schema.validate("a").map(\.message) == ["string is shorter than 2 characters"])
    }

    @Test func compiledSchemaIsSharedAcrossTasks() async throws {
        let schema = try schema(Self.orderSchema)
        let event = try JSONValue(parsing: #"{"id": "evt_1", "amount": -1, "customer": {"email": "a@b.c"}}"#)
        let counts = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { (0..<200).map { _ in schema.validate(event).count }.reduce(0, +) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(counts == Array(repeating: 200, count: 8))
    }
}
