#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A JSON object: members in source order, with constant-time lookup by key.
///
/// Keys are unique; the parser rejects duplicates. Equality ignores member order, as JSON's does.
public struct JSONObject: Sendable, Hashable, RandomAccessCollection {
    public typealias Member = (key: String, value: JSONValue)

    public private(set) var keys: [String]
    public private(set) var values: [JSONValue]
    /// Built only for objects with more than ``indexThreshold`` members; smaller ones are scanned, which is
    /// faster than hashing for the typical event object.
    private var index: [JSONKey: Int]?
    static let indexThreshold = 8

    public init() {
        keys = []
        values = []
        index = nil
    }

    private func position(of key: String) -> Int? {
        if let index { return index[JSONKey(key)] }
        return keys.firstIndex { utf8Equal($0, key) }
    }

    /// An object from the parser's members, which must not repeat a key unless `keepingLast` (then a later
    /// value replaces the earlier one in place); the position of the first repeated key otherwise. Builds the key
    /// index once, at its final size: inserting members one by one hashed every key two or three times (a
    /// look-up, an insert, and again as the index grew).
    static func parsed(keys: [String], values: [JSONValue], keepingLast: Bool) -> Result<
        JSONObject, JSONObjectDuplicateKey
    > {
        var object = JSONObject()
        object.keys = keys
        object.values = values
        guard keys.count > indexThreshold else {
            for position in keys.indices.dropFirst() {
                for earlier in 0..<position where utf8Equal(keys[earlier], keys[position]) {
                    return keepingLast
                        ? .success(JSONObject(keys.indices.map { (key: keys[$0], value: values[$0]) }))
                        : .failure(JSONObjectDuplicateKey(position: position))
                }
            }
            return .success(object)
        }
        var index = [JSONKey: Int](minimumCapacity: keys.count)
        for position in keys.indices where index.updateValue(position, forKey: JSONKey(keys[position])) != nil {
            return keepingLast
                ? .success(JSONObject(keys.indices.map { (key: keys[$0], value: values[$0]) }))
                : .failure(JSONObjectDuplicateKey(position: position))
        }
        object.index = index
        return .success(object)
    }

    /// Creates an object from members; a later duplicate key replaces the earlier value in place.
    public init(_ members: some Sequence<Member>) {
        self.init()
        for member in members { self[member.key] = member.value }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { keys.count }
    public subscript(position: Int) -> Member { (keys[position], values[position]) }

    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { values[$0] } }
        set {
            if let position = position(of: key) {
                if let newValue {
                    values[position] = newValue
                } else {
                    keys.remove(at: position)
                    values.remove(at: position)
                    rebuildIndex()
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
                if index != nil {
                    index![JSONKey(key)] = keys.count - 1
                } else if keys.count > Self.indexThreshold {
                    rebuildIndex()
                }
            }
        }
    }

    public func contains(key: String) -> Bool { position(of: key) != nil }

    private mutating func rebuildIndex() {
        index =
            keys.count > Self.indexThreshold
            ? Dictionary(uniqueKeysWithValues: keys.enumerated().map { (JSONKey($1), $0) }) : nil
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (key, value) in lhs {
            guard let other = rhs[key], other == value else { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent: combine per-member hashes commutatively.
        var combined = 0
        for (key, value) in self {
            var memberHasher = Hasher()
            memberHasher.combine(JSONKey(key))
            memberHasher.combine(value)
            combined ^= memberHasher.finalize()
        }
        hasher.combine(count)
        hasher.combine(combined)
    }
}

/// A string compared the way JSON compares strings: by code points (here, UTF-8 bytes), not by Swift's
/// canonical equivalence, so `"é"` and `"e\u{301}"` are different keys.
struct JSONKey: Hashable {
    let string: String
    init(_ string: String) { self.string = string }

    static func == (lhs: JSONKey, rhs: JSONKey) -> Bool { utf8Equal(lhs.string, rhs.string) }

    func hash(into hasher: inout Hasher) {
        // All the bytes at once: one `combine` per byte cost tens of nanoseconds per 16 bytes of keys and strings.
        var string = string
        string.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        hasher.combine(string.utf8.count)
    }
}

/// The parser's members repeat a key: the member at `position` (counted from 0) repeats an earlier one.
struct JSONObjectDuplicateKey: Error {
    let position: Int
}

/// Byte-wise equality of two strings' UTF-8 forms (JSON's string equality), without Unicode normalisation.
@inline(__always)
func utf8Equal(_ lhs: String, _ rhs: String) -> Bool {
    let count = lhs.utf8.count
    guard count == rhs.utf8.count else { return false }
    let fast: Bool? =
        lhs.utf8.withContiguousStorageIfAvailable { left in
            rhs.utf8.withContiguousStorageIfAvailable { right in
                count == 0 || memcmp(left.baseAddress!, right.baseAddress!, count) == 0
            }
        } ?? nil
    return fast ?? lhs.utf8.elementsEqual(rhs.utf8)
}
