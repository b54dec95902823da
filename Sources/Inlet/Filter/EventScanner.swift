/// Why a scan gave up: the event is handed to the tree parser, which either reports the exact error or (for
/// the rare shapes the scanner does not reproduce) builds the tree the slow path matches against.
struct ScanAbort: Error {}

extension FlattenedEvent {
    /// Flattens an event straight from its JSON text, materialising only the values at the pattern paths.
    ///
    /// The result equals `FlattenedEvent(try JSONValue(parsing: bytes, limits: limits), headers:, paths:)`:
    /// the same leaves, nodes and array ids in the same order. Subtrees no pattern names are skipped without
    /// allocating, but still checked against the whole grammar (structure, string escapes, UTF-8, number
    /// syntax, nesting limit), so that a text the tree parser rejects is never matched. Throws ``ScanAbort``
    /// on invalid JSON and on what it leaves to the tree parser: any two keys of one object with the same
    /// hash (duplicates, which the parser rejects or collapses, and rare collisions, see ``EventScanner/keyHash(_:)``).
    convenience init(
        scanning bytes: UnsafeBufferPointer<UInt8>, headers: [String: String], paths: FilterPaths,
        limits: JSONParseLimits
    )
        throws(ScanAbort)
    {
        guard bytes.count <= limits.maxBytes else { throw ScanAbort() }
        var scanner = EventScanner(bytes: bytes, paths: paths, maxDepth: limits.maxDepth)
        var builder = Builder()
        try scanner.document(into: &builder)
        builder.finish(headers: headers, paths: paths)
        self.init(builder)
    }
}

/// A single forward pass over JSON text that follows the trie of ``FilterPaths``. Recursion is bounded by the
/// parse limits' depth, as the tree parser's is.
struct EventScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let paths: FilterPaths
    private let maxDepth: Int
    private var position = 0
    /// Key hashes of the objects being scanned, innermost object last (a stack shared by all levels).
    private var keyHashes: [UInt64] = []
    /// Decoded bytes of a key with escapes.
    private var scratch: [UInt8] = []

    init(bytes: UnsafeBufferPointer<UInt8>, paths: FilterPaths, maxDepth: Int) {
        self.bytes = bytes
        self.paths = paths
        self.maxDepth = maxDepth
    }

    /// Where the JSON value starting at `start` ends, checked against the whole grammar (as the tree parser
    /// checks it, with the value at walk depth `depth`) without building anything; `nil` when the text is left
    /// to the tree parser (invalid, or an object with two keys of equal hash).
    static func endOfValue(in bytes: UnsafeBufferPointer<UInt8>, from start: Int, depth: Int, maxDepth: Int) -> Int? {
        var scanner = EventScanner(bytes: bytes, paths: FilterPaths(), maxDepth: maxDepth)
        scanner.position = start
        do {
            try scanner.skipValue(depth: depth)
        } catch {
            return nil
        }
        return scanner.position
    }

    mutating func document(into event: inout FlattenedEvent.Builder) throws(ScanAbort) {
        skipWhitespace()
        try value(trieNode: FilterPaths.root, element: 0, depth: 0, into: &event)
        skipWhitespace()
        guard position == bytes.count else { throw ScanAbort() }
    }

    // MARK: Values some pattern path leads to

    /// A value at `trieNode`, at walk depth `depth` (the root value is at 0; its containers at parse depth 1).
    private mutating func value(trieNode: Int32, element: Int32, depth: Int, into event: inout FlattenedEvent.Builder)
        throws(ScanAbort)
    {
        guard position < bytes.count else { throw ScanAbort() }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            guard depth < FlattenedEvent.maxDepth, paths.hasChildren(trieNode) else {
                return try skipValue(depth: depth)
            }
            try object(trieNode: trieNode, element: element, depth: depth, into: &event)
        case UInt8(ascii: "["):
            try array(trieNode: trieNode, element: element, depth: depth, into: &event)
        default:
            let path = paths.pathID(at: trieNode)
            guard path >= 0 else { return try skipValue(depth: depth) }
            let scalar = try scalar()
            event.leaves.append(EventLeaf(path: path, node: element, value: scalar))
        }
    }

    private mutating func object(trieNode: Int32, element: Int32, depth: Int, into event: inout FlattenedEvent.Builder)
        throws(ScanAbort)
    {
        guard depth < maxDepth else { throw ScanAbort() }
        position += 1
        let firstKey = keyHashes.count
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            skipWhitespace()
            let child = try key(lookingUpFrom: trieNode)
            if let child {
                try value(trieNode: child, element: element, depth: depth + 1, into: &event)
            } else {
                try skipValue(depth: depth + 1)
            }
            if try endOfMember(closing: UInt8(ascii: "}")) { break }
        }
        try checkDistinctKeys(from: firstKey)
    }

    private mutating func array(trieNode: Int32, element: Int32, depth: Int, into event: inout FlattenedEvent.Builder)
        throws(ScanAbort)
    {
        guard depth < FlattenedEvent.maxDepth else { return try skipValue(depth: depth) }
        guard depth < maxDepth else { throw ScanAbort() }
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return
        }
        let wantsScalars = paths.pathID(at: trieNode) >= 0
        let wantsObjects = paths.hasChildren(trieNode)
        event.arrayCount += 1
        let array = event.arrayCount
        while true {
            skipWhitespace()
            guard position < bytes.count else { throw ScanAbort() }
            let wanted: Bool
            switch bytes[position] {
            case UInt8(ascii: "{"): wanted = wantsObjects
            case UInt8(ascii: "["): wanted = true
            default: wanted = wantsScalars
            }
            if wanted {
                let child = event.appendNode(parent: element, array: array)
                try value(trieNode: trieNode, element: child, depth: depth + 1, into: &event)
            } else {
                try skipValue(depth: depth + 1)
            }
            if try endOfMember(closing: UInt8(ascii: "]")) { return }
        }
    }

    /// After a member or element: `true` at the closing bracket, `false` after a comma.
    private mutating func endOfMember(closing: UInt8) throws(ScanAbort) -> Bool {
        skipWhitespace()
        guard position < bytes.count else { throw ScanAbort() }
        let byte = bytes[position]
        position += 1
        if byte == UInt8(ascii: ",") { return false }
        if byte == closing { return true }
        throw ScanAbort()
    }

    /// Reads an object key and the `:` after it, records its hash, and returns the trie node it leads to
    /// (`nil` when no pattern path continues through it or `trieNode` is `nil`).
    private mutating func key(lookingUpFrom trieNode: Int32?) throws(ScanAbort) -> Int32? {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw ScanAbort() }
        let (start, end, escaped) = try string()
        var child: Int32?
        if escaped {
            decode(start, end)
            keyHashes.append(scratch.withUnsafeBufferPointer(Self.keyHash))
            if let trieNode {
                child = scratch.withUnsafeBufferPointer { paths.descend(from: trieNode, keyBytes: $0) }
            }
        } else {
            let key = UnsafeBufferPointer(rebasing: bytes[start..<end])
            keyHashes.append(Self.keyHash(key))
            if let trieNode { child = paths.descend(from: trieNode, keyBytes: key) }
        }
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw ScanAbort() }
        position += 1
        skipWhitespace()
        return child
    }

    /// Leaves duplicate keys (and hash collisions) to the tree parser, then pops the object's key hashes.
    private mutating func checkDistinctKeys(from first: Int) throws(ScanAbort) {
        let count = keyHashes.count - first
        if count > 1 {
            if count <= 16 {
                for later in (first + 1)..<keyHashes.count {
                    for earlier in first..<later where keyHashes[earlier] == keyHashes[later] { throw ScanAbort() }
                }
            } else {
                keyHashes[first...].sort()
                for later in (first + 1)..<keyHashes.count where keyHashes[later - 1] == keyHashes[later] {
                    throw ScanAbort()
                }
            }
        }
        keyHashes.removeSubrange(first...)
    }

    /// A hash of a decoded key for the duplicate check: its length and three 8-byte samples (start, middle,
    /// end), which cover every key of up to 24 bytes whole. Equal hashes are left to the tree parser, so a rare
    /// collision of distinct long keys costs a slower match, never a wrong one.
    static func keyHash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let count = key.count
        guard count >= 8, let base = UnsafeRawPointer(key.baseAddress) else {
            var hash = UInt64(count) &* 0x9E37_79B9_7F4A_7C15
            for byte in key { hash = (hash << 8 | hash >> 56) ^ UInt64(byte) }
            return hash
        }
        let first = base.loadUnaligned(as: UInt64.self)
        let middle = (base + (count - 8) / 2).loadUnaligned(as: UInt64.self)
        let last = (base + count - 8).loadUnaligned(as: UInt64.self)
        var hash = UInt64(count) &* 0x9E37_79B9_7F4A_7C15
        hash = (hash ^ first) &* 0xBF58_476D_1CE4_E5B9
        hash = (hash ^ middle) &* 0x94D0_49BB_1331_11EB
        return (hash ^ last) &* 0x9E37_79B9_7F4A_7C15
    }

    // MARK: Scalars

    private mutating func scalar() throws(ScanAbort) -> EventScalar {
        switch bytes[position] {
        case UInt8(ascii: "\""):
            let (start, end, escaped) = try string()
            if escaped {
                decode(start, end)
                return .string(String(decoding: scratch, as: UTF8.self))
            }
            return .string(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default:
            let start = position
            try number()
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            return .number(JSONNumber(validatedText: text))
        }
    }

    // MARK: Skipping (validating, not allocating)

    private mutating func skipValue(depth: Int) throws(ScanAbort) {
        guard position < bytes.count else { throw ScanAbort() }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { throw ScanAbort() }
            position += 1
            let firstKey = keyHashes.count
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                position += 1
                return
            }
            while true {
                skipWhitespace()
                _ = try key(lookingUpFrom: nil)
                try skipValue(depth: depth + 1)
                if try endOfMember(closing: UInt8(ascii: "}")) { break }
            }
            try checkDistinctKeys(from: firstKey)
        case UInt8(ascii: "["):
            guard depth < maxDepth else { throw ScanAbort() }
            position += 1
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                position += 1
                return
            }
            while true {
                skipWhitespace()
                try skipValue(depth: depth + 1)
                if try endOfMember(closing: UInt8(ascii: "]")) { return }
            }
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: try number()
        }
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func literal(_ text: StaticString) throws(ScanAbort) {
        let count = text.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw ScanAbort() }
        for offset in 0..<count where bytes[position + offset] != text.utf8Start[offset] { throw ScanAbort() }
        position += count
    }

    /// Checks the JSON number grammar, as the tree parser does.
    private mutating func number() throws(ScanAbort) {
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { throw ScanAbort() }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) { throw ScanAbort() }
        } else {
            skipDigits()
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else { throw ScanAbort() }
            skipDigits()
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else { throw ScanAbort() }
            skipDigits()
        }
    }

    private mutating func skipDigits() {
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// Scans a string from its opening quote: the content's byte range and whether it has escapes. The
    /// escapes are checked as the parser checks them (surrogates paired); the raw content is checked as UTF-8,
    /// which is equivalent to checking the decoded text because every escape decodes to whole scalars and
    /// starts with an ASCII byte.
    private mutating func string() throws(ScanAbort) -> (start: Int, end: Int, escaped: Bool) {
        position += 1
        let start = position
        var escaped = false
        var ascii = true
        while position < bytes.count {
            skipPlainASCII()
            guard position < bytes.count else { break }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let end = position
                position += 1
                if !ascii, !isValidUTF8(UnsafeBufferPointer(rebasing: bytes[start..<end])) { throw ScanAbort() }
                return (start, end, escaped)
            }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                position += 1
                try checkEscape()
            } else {
                guard byte >= 0x20 else { throw ScanAbort() }
                if byte >= 0x80 { ascii = false }
                position += 1
            }
        }
        throw ScanAbort()
    }

    /// Skips 8 bytes at a time while none is a quote, a backslash, a control character or non-ASCII: the
    /// common run of string content, tested with word-wide bit tricks instead of byte by byte. A word with
    /// such a byte is left to the byte loop (the tricks may also flag bytes after the first hit; harmless).
    @inline(__always)
    private mutating func skipPlainASCII() {
        guard let base = UnsafeRawPointer(bytes.baseAddress) else { return }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while position + 8 <= bytes.count {
            let word = (base + position).loadUnaligned(as: UInt64.self)
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            let special =
                ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word)
                | word
            if special & highs != 0 { return }
            position += 8
        }
    }

    private mutating func checkEscape() throws(ScanAbort) {
        guard position < bytes.count else { throw ScanAbort() }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return
        case UInt8(ascii: "u"):
            let scalar = try hex4()
            if (0xD800...0xDBFF).contains(scalar) {
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                    bytes[position + 1] == UInt8(ascii: "u")
                else { throw ScanAbort() }
                position += 2
                guard (0xDC00...0xDFFF).contains(try hex4()) else { throw ScanAbort() }
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw ScanAbort()
            }
        default:
            throw ScanAbort()
        }
    }

    private mutating func hex4() throws(ScanAbort) -> UInt32 {
        guard position + 4 <= bytes.count else { throw ScanAbort() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw ScanAbort()
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    /// Decodes the already checked string content `start..<end` into ``scratch``.
    private mutating func decode(_ start: Int, _ end: Int) {
        scratch.removeAll(keepingCapacity: true)
        var index = start
        func hex(_ at: Int) -> UInt32 {
            var value: UInt32 = 0
            for offset in 0..<4 {
                let byte = bytes[at + offset]
                let digit =
                    byte <= UInt8(ascii: "9") ? byte - UInt8(ascii: "0") : (byte | 0x20) - UInt8(ascii: "a") + 10
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while index < end {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\") else {
                scratch.append(byte)
                index += 1
                continue
            }
            let kind = bytes[index + 1]
            index += 2
            switch kind {
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex(index)
                index += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (hex(index + 2) - 0xDC00)
                    index += 6
                }
                // Checked by `checkEscape`: never a lone surrogate, so always a scalar.
                if let unicode = Unicode.Scalar(scalar) { scratch.append(contentsOf: UTF8.encode(unicode)!) }
            default: scratch.append(kind)  // `"`, `\`, `/`
            }
        }
    }
}
