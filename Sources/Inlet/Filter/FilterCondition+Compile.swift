/// A compiled leaf array: the ORed conditions, plus whether `{"exists": false}` is one of the alternatives.
struct CompiledLeaf: Sendable {
    var conditions: [FilterCondition] = []
    var allowsAbsence = false
    /// How many conditions the leaf counts towards ``FilterPatternLimits/maxConditions``.
    var weight = 0
}

extension CompiledLeaf {
    /// Compiles a leaf array such as `["a", {"prefix": "b"}, {"numeric": [">", 5]}]`.
    init(_ leaf: JSONValue, at pointer: String) throws(FilterPatternError) {
        guard case .array(let elements) = leaf else {
            throw FilterPatternError(
                "a leaf must be an array of values or matchers, not a \(leaf.typeName)", at: pointer)
        }
        guard !elements.isEmpty else { throw FilterPatternError("a leaf array may not be empty", at: pointer) }
        for (index, element) in elements.enumerated() {
            let elementPointer = JSONPointer.append(pointer, index)
            weight += 1
            switch element {
            case .string(let text):
                conditions.append(IPAddress(text).map { .equalsAddress($0) } ?? .equalsString(TextKey(text)))
            case .number(let number): conditions.append(.equalsNumber(FilterNumber(number)))
            case .bool(let value): conditions.append(.equalsBool(value))
            case .null: conditions.append(.equalsNull)
            case .array:
                throw FilterPatternError("a leaf array may not contain an array", at: elementPointer)
            case .object(let object):
                guard object.count == 1, let (name, argument) = object.first else {
                    throw FilterPatternError("a matcher object must have exactly one key", at: elementPointer)
                }
                let matcherPointer = JSONPointer.append(elementPointer, name)
                if name == "exists" {
                    guard case .bool(let exists) = argument else {
                        throw FilterPatternError("exists takes true or false", at: matcherPointer)
                    }
                    if exists { conditions.append(.exists) } else { allowsAbsence = true }
                    continue
                }
                let (condition, extraWeight) = try Self.matcher(name, argument, at: matcherPointer)
                conditions.append(condition)
                weight += extraWeight
            }
        }
    }

    private static func matcher(_ name: String, _ argument: JSONValue, at pointer: String)
        throws(FilterPatternError) -> (FilterCondition, Int)
    {
        func string(_ what: String) throws(FilterPatternError) -> String {
            guard case .string(let text) = argument else {
                throw FilterPatternError("\(what) takes a string, not a \(argument.typeName)", at: pointer)
            }
            return text
        }
        switch name {
        case "exactly": return (.exactly(TextKey(try string("exactly"))), 0)
        case "prefix", "suffix":
            if case .object(let inner) = argument {
                guard inner.count == 1, inner.keys.first == "equals-ignore-case",
                    case .string(let innerText) = inner.values[0]
                else {
                    throw FilterPatternError(
                        "\(name) takes a string or {\"equals-ignore-case\": string}", at: pointer)
                }
                let text = CaseInsensitiveText(innerText)
                return (name == "prefix" ? .prefixIgnoreCase(text) : .suffixIgnoreCase(text), 0)
            }
            let text = TextKey(try string(name))
            return (name == "prefix" ? .prefix(text) : .suffix(text), 0)
        case "equals-ignore-case":
            return (.equalsIgnoreCase(CaseInsensitiveText(try string("equals-ignore-case"))), 0)
        case "wildcard":
            let text = try string("wildcard")
            guard let pattern = WildcardPattern(text) else {
                throw FilterPatternError(WildcardPattern.validationError(text) ?? "invalid wildcard", at: pointer)
            }
            return (.wildcard(pattern), 0)
        case "numeric": return (.numeric(try NumericRange(argument, at: pointer)), 0)
        case "cidr":
            let text = try string("cidr")
            guard let block = CIDRBlock(text) else {
                throw FilterPatternError(
                    "cidr must be an address/bits block with bits below 32 (IPv4) or 128 (IPv6)", at: pointer)
            }
            return (.cidr(block), 0)
        case "anything-but":
            let exclusion = try AnythingBut.compile(argument, at: pointer)
            return (.anythingBut(exclusion.value), exclusion.count)
        default:
            throw FilterPatternError("unknown matcher \"\(name)\"", at: pointer)
        }
    }
}
