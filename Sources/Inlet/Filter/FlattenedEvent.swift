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
/// arrays' worth of references per candidate pattern cost more than the matching itself. Immutable: it is built
/// as a ``Builder`` (a struct, so that the walk's appends need no dynamic exclusivity checks, which cost a tenth
/// of the matching time when they were class properties) and then frozen.
final class FlattenedEvent {
    static let maxDepth = 128

    let leaves: [EventLeaf]
    /// Per node: its array, its depth, where its chain starts. Node 0 (outside every array) is added with the
    /// first array element, so that events without arrays allocate nothing here.
    let arrayOfNode: [Int32]
    let depthOfNode: [Int32]
    private let chainStart: [Int32]
    private let chains: [Int32]

    init(_ builder: consuming Builder) {
        leaves = builder.leaves
        arrayOfNode = builder.arrayOfNode
        depthOfNode = builder.depthOfNode
        chainStart = builder.chainStart
        chains = builder.chains
    }

    convenience init(_ event: JSONValue, headers: [String: String], paths: FilterPaths) {
        var builder = Builder()
        builder.walk(event, trieNode: FilterPaths.root, element: 0, depth: 0, paths: paths)
        builder.finish(headers: headers, paths: paths)
        self.init(builder)
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

    /// The leaves and nodes of an event as the walk (or ``EventScanner``) finds them.
    struct Builder {
        var leaves: [EventLeaf] = []
        var arrayOfNode: [Int32] = []
        var depthOfNode: [Int32] = []
        var chainStart: [Int32] = []
        var chains: [Int32] = []
        /// The number of arrays entered so far; the next array's id is one more.
        var arrayCount: Int32 = 0

        /// Adds the header values and orders the leaves by path, keeping document order within a path.
        mutating func finish(headers: [String: String], paths: FilterPaths) {
            if !paths.headerIDs.isEmpty {
                for (name, value) in headers {
                    if let id = paths.headerID(name) {
                        leaves.append(EventLeaf(path: id, node: 0, value: .string(value)))
                    }
                }
            }
            guard leaves.count > 1 else { return }
            // A counting sort: paths are few (the patterns' fields), leaves can be hundreds of thousands.
            var sorted = true
            for index in 1..<leaves.count where leaves[index - 1].path > leaves[index].path {
                sorted = false
                break
            }
            guard !sorted else { return }
            var starts = [Int](repeating: 0, count: paths.count + 1)
            for leaf in leaves { starts[Int(leaf.path) + 1] += 1 }
            for path in 0..<paths.count { starts[path + 1] += starts[path] }
            let unsorted = leaves
            leaves.withUnsafeMutableBufferPointer { target in
                for leaf in unsorted {
                    target[starts[Int(leaf.path)]] = leaf
                    starts[Int(leaf.path)] += 1
                }
            }
        }

        mutating func walk(_ value: JSONValue, trieNode: Int32, element: Int32, depth: Int, paths: FilterPaths) {
            switch value {
            case .object(let object):
                guard depth < FlattenedEvent.maxDepth, paths.hasChildren(trieNode) else { return }
                let keys = object.keys
                for index in keys.indices {
                    if let next = paths.descend(from: trieNode, key: keys[index]) {
                        walk(object.values[index], trieNode: next, element: element, depth: depth + 1, paths: paths)
                    }
                }
            case .array(let items):
                guard depth < FlattenedEvent.maxDepth, !items.isEmpty else { return }
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

        private mutating func append(_ value: EventScalar, trieNode: Int32, element: Int32, paths: FilterPaths) {
            let path = paths.pathID(at: trieNode)
            if path >= 0 { leaves.append(EventLeaf(path: path, node: element, value: value)) }
        }

        /// Adds an element of `array` inside element `parent` and returns its node.
        mutating func appendNode(parent: Int32, array: Int32) -> Int32 {
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
}
