import Foundation
import Inlet
import InletStore

/// Reads the fields of a JSON object request body strictly: wrong types and unknown fields become
/// ``ValidationIssue``s (a 422 listing every problem), never silently ignored.
struct ObjectReader {
    let object: JSONObject
    let pathPrefix: String
    private(set) var issues: [ValidationIssue] = []
    private var seen: Set<String> = []

    init(_ object: JSONObject, pathPrefix: String = "") {
        self.object = object
        self.pathPrefix = pathPrefix
    }

    func path(_ key: String) -> String { JSONPointer.append(pathPrefix, key) }

    mutating func issue(_ key: String, _ message: String, keyword: String? = nil) {
        issues.append(ValidationIssue(path: path(key), message: message, keyword: keyword))
    }

    /// Adds issues found by a nested validator, whose paths are already full pointers.
    mutating func issues(from error: ValidationError, at key: String) {
        issues += error.issues
        if error.issues.isEmpty { issue(key, error.message) }
    }

    mutating func appendIssue(_ issue: ValidationIssue) { issues.append(issue) }

    mutating func raw(_ key: String) -> JSONValue? {
        seen.insert(key)
        return object[key]
    }

    /// A required value of any JSON type.
    mutating func requiredValue(_ key: String) -> JSONValue? {
        guard let value = raw(key) else {
            issue(key, "is required", keyword: "required")
            return nil
        }
        return value
    }

    mutating func string(_ key: String, required: Bool = false) -> String? {
        guard let value = raw(key) else {
            if required { issue(key, "is required", keyword: "required") }
            return nil
        }
        guard let string = value.stringValue else {
            issue(key, "must be a string, found \(value.typeName)", keyword: "type")
            return nil
        }
        return string
    }

    mutating func bool(_ key: String) -> Bool? {
        guard let value = raw(key) else { return nil }
        guard let bool = value.boolValue else {
            issue(key, "must be a boolean, found \(value.typeName)", keyword: "type")
            return nil
        }
        return bool
    }

    mutating func integer(_ key: String, range: ClosedRange<Int>) -> Int? {
        guard let value = raw(key) else { return nil }
        guard let number = value.numberValue, let integer = number.int64, range.contains(Int(clamping: integer)),
            integer <= Int64(range.upperBound)
        else {
            issue(key, "must be an integer from \(range.lowerBound) to \(range.upperBound)", keyword: "type")
            return nil
        }
        return Int(integer)
    }

    mutating func uuid(_ key: String, required: Bool = false) -> UUID? {
        guard let text = string(key, required: required) else { return nil }
        guard let id = UUID(uuidString: text) else {
            issue(key, "must be a UUID", keyword: "format")
            return nil
        }
        return id
    }

    mutating func object(_ key: String) -> JSONValue? {
        guard let value = raw(key) else { return nil }
        guard value.objectValue != nil else {
            issue(key, "must be an object, found \(value.typeName)", keyword: "type")
            return nil
        }
        return value
    }

    /// A PATCH field: absent keeps, `null` clears (optional fields only), a value sets.
    mutating func patchString(_ key: String, nullable: Bool) -> Patch<String?> {
        guard let value = raw(key) else { return .keep }
        if value.isNull {
            if nullable { return .set(nil) }
            issue(key, "cannot be null", keyword: "type")
            return .keep
        }
        guard let string = value.stringValue else {
            issue(key, "must be a string\(nullable ? " or null" : ""), found \(value.typeName)", keyword: "type")
            return .keep
        }
        return .set(string)
    }

    /// Fails for every field not read (unknown fields are rejected, not ignored).
    mutating func rejectUnknownFields() {
        for key in object.keys where !seen.contains(key) {
            issue(key, "unknown field", keyword: "additionalProperties")
        }
    }

    /// Throws the collected issues as a validation error.
    func finish(_ message: String = "the request is invalid") throws(ValidationError) {
        if !issues.isEmpty { throw ValidationError(message, issues: issues) }
    }
}
