/// A leaf value found in an event at a pattern path, with the array element it sits in.
struct EventLeaf: Sendable {
    var path: Int32
    /// The innermost array element containing the value (see ``FlattenedEvent``); 0 when in no array.
    var node: Int32
    var value: EventScalar
}

/// The leaf values of one event at the paths of a compiled matcher, grouped by path.
///
/// Every element of an array the walk enters becomes a node; a node's chain lists its enclosing elements from
/// the outermost. Two values are array-consistent when they never sit in different elements of the same
/// array. Nesting deeper than ``maxDepth`` is not looked at.
///
/// A class, not a struct: the evaluators and the array-consistency search each hold it, and copying five
/// arrays' worth of references per candidate pattern cost more than the matching itself.
final class FlattenedEvent {
    static let maxDepth = 128

    var leaves: [EventLeaf] = []
    /// Per node: its array, its depth, where its chain starts. Node 0 (outside every array) is added with the
    /// first array element, so that events without arrays allocate nothing here.
    private(set) var arrayOfNode: [Int32] = []
    private(set) var depthOfNode: [Int32] = []
    private var chainStart: [Int32] = []
    private var chains: [Int32] = []
    /// The number of arrays entered so far; the next array's id is one more.
    var arrayCount: Int32 = 0

    init(_ event: JSONValue, headers: [String: String], paths: FilterPaths) {
        walk(event, trieNode: FilterPaths.root, element: 0, depth: 0, paths: paths)
        finish(headers: headers, paths: paths)
    }

    /// An event with no values yet, for ``FlattenedEvent/init(scanning:headers:paths:limits:)``.
    init() {}

    /// Adds the header values and orders the leaves by path.
    func finish(headers: [String: String], paths: FilterPaths) {
        if !paths.headerIDs.isEmpty {
            for (name, value) in headers {
                if let id = paths.headerID(name) { leaves.append(EventLeaf(path: id, node: 0, value: .string(value))) }
            }
        }
        if leaves.count > 1 { leaves.sort { $0.path < $1.path } }
    }

    /// Whether any value sits inside an array.
    var hasArrays: Bool { arrayOfNode.count > 1 }

    /// Indices into ``leaves`` of the values at `path`.
    func range(of path: Int32) -> Range<Int> {
        var low = 0
        var high = leaves.count
        while low < high {
            let middle = (low + high) / 2
            if leaves[middle].path < path { low = middle + 1 } else { high = middle }
        }
        var end = low
        while end < leaves.count, leaves[end].path == path { end += 1 }
        return low..<end
    }

    /// The element enclosing `node` at `depth` (1 = outermost array); `node` itself at its own depth.
    func ancestor(of node: Int32, atDepth depth: Int32) -> Int32 {
        chains[Int(chainStart[Int(node)] + depth - 1)]
    }

    private func walk(_ value: JSONValue, trieNode: Int32, element: Int32, depth: Int, paths: FilterPaths) {
        switch value {
        case .object(let object):
            guard depth < Self.maxDepth, paths.hasChildren(trieNode) else { return }
            let keys = object.keys
            for index in keys.indices {
                if let next = paths.descend(from: trieNode, key: keys[index]) {
                    walk(object.values[index], trieNode: next, element: element, depth: depth + 1, paths: paths)
                }
            }
        case .array(let items):
            guard depth < Self.maxDepth, !items.isEmpty else { return }
            let wantsScalars = paths.pathID(at: trieNode) >= 0
            let wantsObjects = paths.hasChildren(trieNode)
            arrayCount += 1
            let array = arrayCount
            for item in items {
                switch item {
                case .object: if !wantsObjects { continue }
                case .array: break
                default: if !wantsScalars { continue }
                }
                let child = appendNode(parent: element, array: array)
                walk(item, trieNode: trieNode, element: child, depth: depth + 1, paths: paths)
            }
        case .string(let text): append(.string(text), trieNode: trieNode, element: element, paths: paths)
        case .number(let number): append(.number(number), trieNode: trieNode, element: element, paths: paths)
        case .bool(let flag): append(.bool(flag), trieNode: trieNode, element: element, paths: paths)
        case .null: append(.null, trieNode: trieNode, element: element, paths: paths)
        }
    }

    private func append(_ value: EventScalar, trieNode: Int32, element: Int32, paths: FilterPaths) {
        let path = paths.pathID(at: trieNode)
        if path >= 0 { leaves.append(EventLeaf(path: path, node: element, value: value)) }
    }

    /// Adds an element of `array` inside element `parent` and returns its node.
    func appendNode(parent: Int32, array: Int32) -> Int32 {
        if arrayOfNode.isEmpty {
            arrayOfNode.append(-1)
            depthOfNode.append(0)
            chainStart.append(0)
        }
        let node = Int32(arrayOfNode.count)
        let parentDepth = depthOfNode[Int(parent)]
        arrayOfNode.append(array)
        depthOfNode.append(parentDepth + 1)
        chainStart.append(Int32(chains.count))
        if parentDepth > 0 {
            let start = Int(chainStart[Int(parent)])
            for position in start..<(start + Int(parentDepth)) { chains.append(chains[position]) }
        }
        chains.append(node)
        return node
    }
}
