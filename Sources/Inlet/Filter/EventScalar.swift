/// A leaf value of an event as the matcher sees it: a string, number, boolean or `null` found at a path
/// (objects are not leaves; arrays are flattened into their elements).
enum EventScalar: Sendable {
    case string(String)
    case number(JSONNumber)
    case bool(Bool)
    case null

    var json: JSONValue {
        switch self {
        case .string(let value): .string(value)
        case .number(let value): .number(value)
        case .bool(let value): .bool(value)
        case .null: .null
        }
    }
}
