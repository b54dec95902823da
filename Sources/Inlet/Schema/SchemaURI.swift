/// A URI reference split into its RFC 3986 components, with reference resolution (§5.2) and no Foundation.
///
/// Schemas name resources by `$id` and point at them with `$ref`; both are resolved against the base URI in
/// scope, so `"$ref": "item.json#/$defs/a"` under `https://example.com/root.json` means
/// `https://example.com/item.json` plus the fragment `/$defs/a`.
struct SchemaURI: Sendable, Hashable {
    var scheme: String?
    var authority: String?
    var path: String
    var query: String?
    var fragment: String?

    init(scheme: String?, authority: String?, path: String, query: String?, fragment: String?) {
        self.scheme = scheme
        self.authority = authority
        self.path = path
        self.query = query
        self.fragment = fragment
    }

    /// Parses a URI reference; `nil` for text with characters no URI may contain (spaces, controls).
    init?(_ text: String) {
        guard !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0 == "\\" }) else { return nil }
        var rest = Substring(text)
        if let hash = rest.firstIndex(of: "#") {
            fragment = String(rest[rest.index(after: hash)...])
            rest = rest[..<hash]
        }
        if let question = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: question)...])
            rest = rest[..<question]
        }
        if let colon = rest.firstIndex(of: ":"), !rest[..<colon].contains("/"), colon != rest.startIndex {
            let candidate = rest[..<colon]
            let valid = candidate.unicodeScalars.enumerated().allSatisfy { offset, scalar in
                scalar.properties.isAlphabetic && scalar.isASCII
                    || (offset > 0 && (("0"..."9").contains(scalar) || "+-.".unicodeScalars.contains(scalar)))
            }
            guard valid else { return nil }
            scheme = String(candidate).lowercased()
            rest = rest[rest.index(after: colon)...]
        }
        if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
            let end = rest.firstIndex(of: "/") ?? rest.endIndex
            authority = String(rest[..<end])
            rest = rest[end...]
        }
        path = String(rest)
    }

    /// The URI without its fragment: the key of a schema resource.
    var withoutFragment: SchemaURI {
        var copy = self
        copy.fragment = nil
        return copy
    }

    /// Resolves `reference` against this (absolute) base URI, per RFC 3986 §5.2.2.
    func resolving(_ reference: SchemaURI) -> SchemaURI {
        if reference.scheme != nil {
            return SchemaURI(
                scheme: reference.scheme, authority: reference.authority,
                path: Self.removeDotSegments(reference.path), query: reference.query, fragment: reference.fragment)
        }
        if reference.authority != nil {
            return SchemaURI(
                scheme: scheme, authority: reference.authority, path: Self.removeDotSegments(reference.path),
                query: reference.query, fragment: reference.fragment)
        }
        if reference.path.isEmpty {
            return SchemaURI(
                scheme: scheme, authority: authority, path: path, query: reference.query ?? query,
                fragment: reference.fragment)
        }
        let mergedPath: String
        if reference.path.hasPrefix("/") {
            mergedPath = reference.path
        } else if authority != nil && path.isEmpty {
            mergedPath = "/" + reference.path
        } else if let slash = path.lastIndex(of: "/") {
            mergedPath = path[...slash] + reference.path
        } else {
            mergedPath = reference.path
        }
        return SchemaURI(
            scheme: scheme, authority: authority, path: Self.removeDotSegments(mergedPath), query: reference.query,
            fragment: reference.fragment)
    }

    private static func removeDotSegments(_ path: String) -> String {
        guard path.contains(".") else { return path }
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        for (offset, segment) in segments.enumerated() {
            let isLast = offset == segments.count - 1
            if segment == "." {
                if isLast { output.append("") }
            } else if segment == ".." {
                if output.count > 1 || (output.count == 1 && !output[0].isEmpty) { output.removeLast() }
                if isLast { output.append("") }
            } else {
                output.append(segment)
            }
        }
        var result = output.joined(separator: "/")
        if path.hasPrefix("/") && !result.hasPrefix("/") { result = "/" + result }
        return result
    }

    /// The fragment with percent-escapes decoded (`%25` → `%`), as a JSON pointer or anchor name.
    var decodedFragment: String? {
        guard let fragment else { return nil }
        guard fragment.contains("%") else { return fragment }
        var bytes: [UInt8] = []
        var utf8 = Array(fragment.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension SchemaURI: CustomStringConvertible {
    var description: String {
        var text = ""
        if let scheme { text += scheme + ":" }
        if let authority { text += "//" + authority }
        text += path
        if let query { text += "?" + query }
        if let fragment { text += "#" + fragment }
        return text
    }
}
