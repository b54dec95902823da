/// An `application/x-www-form-urlencoded` body (Slack slash commands and interactive actions, Twilio, …) as a
/// JSON object, so that it is stored, validated, routed and filtered like a JSON payload.
///
/// Each field becomes a string member (`+` is a space, `%XX` a byte; the decoded bytes must be UTF-8); a name
/// given several times becomes an array of its values in order. Pairs with an empty name are skipped. The body
/// is bounded by the caller's body limit; ``maximumFields`` bounds the fields, and decoding draws on a
/// ``WorkBudget`` (one step per 16 bytes, 32 per field).
public enum FormBody {
    /// The most fields one body may have.
    public static let maximumFields = 1000

    public static func decode(_ bytes: some Collection<UInt8>, budget: WorkBudget? = nil) throws -> JSONValue {
        var meter = StepMeter(budget: budget)
        try meter.count(bytes.count / 16 + 1)
        var object = JSONObject()
        var fields = 0
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let name = try decodeComponent(parts[0])
            guard !name.isEmpty else { continue }
            let value = parts.count > 1 ? try decodeComponent(parts[1]) : ""
            fields += 1
            guard fields <= maximumFields else {
                throw FormBodyError("the form has more than \(maximumFields) fields")
            }
            try meter.count(32)
            switch object[name] {
            case nil: object[name] = .string(value)
            case .array(var values)?:
                values.append(.string(value))
                object[name] = .array(values)
            case let existing?: object[name] = .array([existing, .string(value)])
            }
        }
        try meter.report()
        return .object(object)
    }

    /// Percent-decodes one name or value; `+` is a space.
    static func decodeComponent(_ component: some Collection<UInt8>) throws(FormBodyError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(component.count)
        var index = component.startIndex
        while index != component.endIndex {
            let byte = component[index]
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                let high = component.index(after: index)
                guard high != component.endIndex, component.index(after: high) != component.endIndex,
                    let upper = hexDigitValue(component[high]),
                    let lower = hexDigitValue(component[component.index(after: high)])
                else { throw FormBodyError("the form has a malformed percent-escape") }
                bytes.append(upper << 4 | lower)
                index = component.index(after: high)
            default:
                bytes.append(byte)
            }
            index = component.index(after: index)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw FormBodyError("the form is not UTF-8 once decoded")
        }
        return text
    }

}

/// A form body that cannot be decoded; the message is for the sender.
public struct FormBodyError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
