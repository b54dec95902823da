/// The paths a compiled matcher looks at, as a trie of key segments, plus the header names.
///
/// Walking an event through the trie visits only the parts of the event that some pattern names, and
/// handles dotted keys in events (`{"a.b": 1}` is the path `a.b`, like `{"a": {"b": 1}}`).
struct FilterPaths: Sendable {
    private struct Node: Sendable {
        var children: [TextKey: Int32] = [:]
        var pathID: Int32 = -1
    }

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
