/// The paths a compiled matcher looks at, as a trie of key segments, plus the header names.
///
/// Walking an event through the trie visits only the parts of the event that some pattern names, and
/// handles dotted keys in events (`{"a.b": 1}` is the path `a.b`, like `{"a": {"b": 1}}`).
struct FilterPaths: Sendable {
    private struct Node: Sendable {
        var children: [TextKey: Int32] = [:]
        /// The same children for lookups by raw key bytes (see ``child(of:key:)``): keys and targets side by
        /// side, scanned linearly while short, through `byHash` when a node has many children.
        var childKeys: [[UInt8]] = []
        var childTargets: [Int32] = []
        var byHash: [UInt64: [Int32]] = [:]
        var pathID: Int32 = -1
    }

    /// Beyond this many children a node's byte lookups hash the key instead of comparing with each child.
    private static let linearChildren = 8

    private var nodes: [Node] = [Node()]
    private(set) var headerIDs: [TextKey: Int32] = [:]
    /// Display name of each path, indexed by path id.
    private(set) var names: [String] = []

    static let root: Int32 = 0

    /// The id of `field`'s path, assigning the next id to a new path.
    mutating func id(for field: FilterField) -> Int32 {
        if field.isHeader {
            let key = TextKey(field.segments[0])
            if let id = headerIDs[key] { return id }
            let id = Int32(names.count)
            headerIDs[key] = id
            names.append(field.path)
            return id
        }
        var node = Self.root
        for segment in field.segments {
            let key = TextKey(segment)
            if let next = nodes[Int(node)].children[key] {
                node = next
            } else {
                nodes.append(Node())
                let next = Int32(nodes.count - 1)
                nodes[Int(node)].children[key] = next
                addByteChild(Array(segment.utf8), next, to: node)
                node = next
            }
        }
        if nodes[Int(node)].pathID < 0 {
            nodes[Int(node)].pathID = Int32(names.count)
            names.append(field.path)
        }
        return nodes[Int(node)].pathID
    }

    var count: Int { names.count }

    private mutating func addByteChild(_ key: [UInt8], _ child: Int32, to node: Int32) {
        nodes[Int(node)].childKeys.append(key)
        nodes[Int(node)].childTargets.append(child)
        let count = nodes[Int(node)].childKeys.count
        if count > Self.linearChildren {
            if count == Self.linearChildren + 1 {
                for (position, existing) in nodes[Int(node)].childKeys.enumerated().dropLast() {
                    nodes[Int(node)].byHash[Self.hash(existing), default: []].append(Int32(position))
                }
            }
            nodes[Int(node)].byHash[Self.hash(key), default: []].append(Int32(count - 1))
        }
    }

    /// FNV-1a over the bytes: cheap for the short keys of events, and only a pre-filter (keys are compared).
    static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    /// The child of `node` under the one key segment `key` (raw UTF-8, no dots), compared byte for byte.
    func child(of node: Int32, segment key: UnsafeBufferPointer<UInt8>) -> Int32? {
        // Through `nodes[i].member` rather than a copy of the node, which would retain all its storage.
        let count = nodes[Int(node)].childKeys.count
        if count <= Self.linearChildren {
            for position in 0..<count where Self.equal(nodes[Int(node)].childKeys[position], key) {
                return nodes[Int(node)].childTargets[position]
            }
            return nil
        }
        for position in nodes[Int(node)].byHash[Self.hash(key)] ?? []
        where Self.equal(nodes[Int(node)].childKeys[Int(position)], key) {
            return nodes[Int(node)].childTargets[Int(position)]
        }
        return nil
    }

    private static func equal(_ stored: [UInt8], _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        guard stored.count == key.count else { return false }
        return stored.withUnsafeBufferPointer { $0.elementsEqual(key) }
    }

    /// ``descend(from:key:)`` for an event key given as raw UTF-8 bytes (escapes already decoded).
    func descend(from node: Int32, keyBytes key: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard !nodes[Int(node)].childKeys.isEmpty else { return nil }
        guard key.contains(UInt8(ascii: ".")) else { return child(of: node, segment: key) }
        var current = node
        var start = 0
        for end in 0...key.count where end == key.count || key[end] == UInt8(ascii: ".") {
            let segment = UnsafeBufferPointer(rebasing: key[start..<end])
            guard let next = child(of: current, segment: segment) else { return nil }
            current = next
            start = end + 1
        }
        return current
    }

    func pathID(at node: Int32) -> Int32 { nodes[Int(node)].pathID }

    func hasChildren(_ node: Int32) -> Bool { !nodes[Int(node)].children.isEmpty }

    /// The node reached from `node` through an event key, splitting the key at dots; `nil` when no pattern
    /// path continues that way.
    func descend(from node: Int32, key: String) -> Int32? {
        let children = nodes[Int(node)].children
        guard !children.isEmpty else { return nil }
        guard key.utf8.contains(UInt8(ascii: ".")) else { return children[TextKey(key)] }
        var current = node
        for segment in key.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard let next = nodes[Int(current)].children[TextKey(Substring(segment))] else { return nil }
            current = next
        }
        return current
    }

    /// The path id of a recorded header, accepting names in any ASCII case.
    func headerID(_ name: String) -> Int32? {
        if let id = headerIDs[TextKey(name)] { return id }
        guard name.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else { return nil }
        return headerIDs[TextKey(name.lowercased())]
    }
}
