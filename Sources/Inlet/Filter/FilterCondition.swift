/// One element of a leaf array, compiled: the elements of a leaf are ORed.
enum FilterCondition: Hashable, Sendable {
    /// A plain string that is not an IP address: byte-exact comparison.
    case equalsString(TextKey)
    /// A plain string that parses as an IP address: equal to any event string naming the same address.
    case equalsAddress(IPAddress)
    case equalsNumber(FilterNumber)
    case equalsBool(Bool)
    case equalsNull
    /// `{"exactly": s}`: byte-exact text, even for IP addresses.
    case exactly(TextKey)
    case prefix(TextKey)
    case suffix(TextKey)
    case equalsIgnoreCase(CaseInsensitiveText)
    case prefixIgnoreCase(CaseInsensitiveText)
    case suffixIgnoreCase(CaseInsensitiveText)
    case wildcard(WildcardPattern)
    case anythingBut(AnythingBut)
    case numeric(NumericRange)
    /// `{"exists": true}`; `exists: false` is compiled into an absence test of the branch instead.
    case exists
    case cidr(CIDRBlock)

    /// Whether the event leaf `value` satisfies this condition.
    func matches(_ value: EventScalar) -> Bool {
        switch (self, value) {
        case (.exists, _): return true
        case (.anythingBut(let exclusion), _): return !exclusion.excludes(value)
        case (.equalsString(let expected), .string(let actual)): return utf8Equal(expected.text, actual)
        case (.exactly(let expected), .string(let actual)): return utf8Equal(expected.text, actual)
        case (.equalsAddress(let expected), .string(let actual)): return IPAddress(actual) == expected
        case (.prefix(let expected), .string(let actual)): return actual.utf8HasPrefix(expected.text)
        case (.suffix(let expected), .string(let actual)): return actual.utf8HasSuffix(expected.text)
        case (.equalsIgnoreCase(let expected), .string(let actual)): return expected.equals(actual)
        case (.prefixIgnoreCase(let expected), .string(let actual)): return expected.isPrefix(of: actual)
        case (.suffixIgnoreCase(let expected), .string(let actual)): return expected.isSuffix(of: actual)
        case (.wildcard(let pattern), .string(let actual)): return pattern.matches(actual)
        case (.cidr(let block), .string(let actual)): return IPAddress(actual).map(block.contains) ?? false
        case (.equalsNumber(let expected), .number(let actual)): return expected == FilterNumber(actual)
        case (.numeric(let range), .number(let actual)):
            return actual.isFilterComparable && range.contains(actual.double)
        case (.equalsBool(let expected), .bool(let actual)): return expected == actual
        case (.equalsNull, .null): return true
        default: return false
        }
    }

    /// Whether checking a string reads all of it (see ``FilterField/scansText``).
    var scansText: Bool {
        switch self {
        case .equalsAddress, .equalsIgnoreCase, .prefixIgnoreCase, .suffixIgnoreCase, .wildcard, .anythingBut,
            .cidr:
            true
        default: false
        }
    }

    /// How many times checking a string reads all of it: once for a wildcard, a case-insensitive form or an
    /// address, once per entry of an exclusion list; 0 when the check reads only the pattern's bytes.
    var textScans: Int {
        switch self {
        case .equalsAddress, .equalsIgnoreCase, .prefixIgnoreCase, .suffixIgnoreCase, .wildcard, .cidr: 1
        case .anythingBut(.strings): 1
        case .anythingBut(.prefixes(let excluded)), .anythingBut(.suffixes(let excluded)): excluded.count
        case .anythingBut(.ignoringCase(let excluded)): excluded.count
        case .anythingBut(.wildcards(let excluded)): excluded.count
        default: 0
        }
    }

    /// The operator's name in the pattern language, for explanations.
    var operatorName: String {
        switch self {
        case .equalsString, .equalsAddress, .equalsNumber, .equalsBool, .equalsNull: "equals"
        case .exactly: "exactly"
        case .prefix: "prefix"
        case .suffix: "suffix"
        case .equalsIgnoreCase: "equals-ignore-case"
        case .prefixIgnoreCase: "prefix/equals-ignore-case"
        case .suffixIgnoreCase: "suffix/equals-ignore-case"
        case .wildcard: "wildcard"
        case .anythingBut: "anything-but"
        case .numeric: "numeric"
        case .exists: "exists"
        case .cidr: "cidr"
        }
    }
}

/// The exclusions of an `anything-but`: a leaf value satisfies it unless it is excluded. Values of another
/// type than the exclusions (numbers against strings, booleans, `null`) are never excluded.
enum AnythingBut: Hashable, Sendable {
    case strings(Set<TextKey>)
    case numbers(Set<FilterNumber>)
    case prefixes([TextKey])
    case suffixes([TextKey])
    case ignoringCase([CaseInsensitiveText])
    case wildcards([WildcardPattern])

    func excludes(_ value: EventScalar) -> Bool {
        switch (self, value) {
        case (.strings(let excluded), .string(let text)): excluded.contains(TextKey(text))
        case (.numbers(let excluded), .number(let number)): excluded.contains(FilterNumber(number))
        case (.prefixes(let excluded), .string(let text)): excluded.contains { text.utf8HasPrefix($0.text) }
        case (.suffixes(let excluded), .string(let text)): excluded.contains { text.utf8HasSuffix($0.text) }
        case (.ignoringCase(let excluded), .string(let text)): excluded.contains { $0.equals(text) }
        case (.wildcards(let excluded), .string(let text)): excluded.contains { $0.matches(text) }
        default: false
        }
    }
}
