extension AnythingBut {
    /// Compiles the argument of `anything-but`: a string, a comparable number, a non-empty list of only
    /// strings or only numbers, or `{"prefix"|"suffix"|"equals-ignore-case"|"wildcard": s | [s…]}`.
    /// Returns the exclusion and the number of excluded values.
    static func compile(_ argument: JSONValue, at pointer: String) throws(FilterPatternError)
        -> (value: AnythingBut, count: Int)
    {
        switch argument {
        case .string(let text): return (.strings([TextKey(text)]), 1)
        case .number(let number): return (.numbers([try comparable(number, at: pointer)]), 1)
        case .array(let values): return try list(values, at: pointer)
        case .object(let object):
            guard object.count == 1, let (name, inner) = object.first else {
                throw FilterPatternError("anything-but takes an object with exactly one key", at: pointer)
            }
            return try form(name, inner, at: JSONPointer.append(pointer, name))
        case .null, .bool:
            throw FilterPatternError(
                "anything-but takes a string, a number, or a list of strings or numbers, not \(argument.typeName)",
                at: pointer)
        }
    }

    private static func comparable(_ number: JSONNumber, at pointer: String) throws(FilterPatternError)
        -> FilterNumber
    {
        guard number.isFilterComparable else {
            throw FilterPatternError(
                "number \(number.text) is not exactly representable as a binary64 number", at: pointer)
        }
        return FilterNumber(number)
    }

    private static func list(_ values: [JSONValue], at pointer: String) throws(FilterPatternError)
        -> (value: AnythingBut, count: Int)
    {
        guard let first = values.first else {
            throw FilterPatternError("anything-but list may not be empty", at: pointer)
        }
        if case .number = first {
            var numbers: Set<FilterNumber> = []
            for (index, value) in values.enumerated() {
                guard case .number(let number) = value else {
                    throw FilterPatternError(
                        "anything-but list must be all strings or all numbers", at: JSONPointer.append(pointer, index))
                }
                numbers.insert(try comparable(number, at: JSONPointer.append(pointer, index)))
            }
            return (.numbers(numbers), values.count)
        }
        let texts = try strings(values, at: pointer, allowEmpty: true)
        return (.strings(Set(texts.map(TextKey.init))), values.count)
    }

    private static func strings(_ values: [JSONValue], at pointer: String, allowEmpty: Bool)
        throws(FilterPatternError) -> [String]
    {
        var texts: [String] = []
        for (index, value) in values.enumerated() {
            guard case .string(let text) = value else {
                throw FilterPatternError(
                    "anything-but list must be all strings or all numbers", at: JSONPointer.append(pointer, index))
            }
            guard allowEmpty || !text.isEmpty else {
                throw FilterPatternError(
                    "anything-but prefix and suffix may not be empty", at: JSONPointer.append(pointer, index))
            }
            texts.append(text)
        }
        return texts
    }

    private static func form(_ name: String, _ argument: JSONValue, at pointer: String) throws(FilterPatternError)
        -> (value: AnythingBut, count: Int)
    {
        guard ["prefix", "suffix", "equals-ignore-case", "wildcard"].contains(name) else {
            throw FilterPatternError(
                "anything-but supports prefix, suffix, equals-ignore-case and wildcard, not \"\(name)\"", at: pointer)
        }
        let texts: [String]
        switch argument {
        case .string(let text):
            guard !text.isEmpty || (name != "prefix" && name != "suffix") else {
                throw FilterPatternError("anything-but prefix and suffix may not be empty", at: pointer)
            }
            texts = [text]
        case .array(let values):
            guard !values.isEmpty else { throw FilterPatternError("anything-but list may not be empty", at: pointer) }
            texts = try strings(values, at: pointer, allowEmpty: name != "prefix" && name != "suffix")
        default:
            throw FilterPatternError(
                "anything-but \(name) takes a string or a list of strings, not \(argument.typeName)", at: pointer)
        }
        switch name {
        case "prefix": return (.prefixes(texts.map(TextKey.init)), texts.count)
        case "suffix": return (.suffixes(texts.map(TextKey.init)), texts.count)
        case "equals-ignore-case": return (.ignoringCase(texts.map(CaseInsensitiveText.init)), texts.count)
        case "wildcard":
            var patterns: [WildcardPattern] = []
            for (index, text) in texts.enumerated() {
                guard let pattern = WildcardPattern(text) else {
                    let location = argument.arrayValue == nil ? pointer : JSONPointer.append(pointer, index)
                    throw FilterPatternError(WildcardPattern.validationError(text) ?? "invalid wildcard", at: location)
                }
                patterns.append(pattern)
            }
            return (.wildcards(patterns), texts.count)
        default:
            throw FilterPatternError(
                "anything-but supports prefix, suffix, equals-ignore-case and wildcard, not \"\(name)\"", at: pointer)
        }
    }
}
