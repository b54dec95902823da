/// Decides whether a branch's conditions can hold together in an event with arrays of objects.
///
/// Each required field has candidate leaves (values that satisfy its conditions); one is chosen per field so
/// that no two chosen leaves sit in different elements of one array. Absent fields must then have no leaf
/// that is array-consistent with the chosen ones. The search works one array level at a time: at an element,
/// a field either has a value directly there (consistent with everything below) or must be satisfied inside
/// one of the arrays it contains, and all fields sent into one array must be satisfied in one of its elements.
/// A field's path almost always leaves it a single route, so the search is linear in practice; `budget`
/// bounds the rare ambiguous cases (fail closed), and `meter` counts the leaves each step looks at, so that a
/// request's work budget also bounds them.
struct ArrayConsistency {
    let event: FlattenedEvent
    private(set) var budget = 100_000
    private(set) var meter: StepMeter

    /// Steps counted per leaf looked at: grouping leaves by array element (hash tables, small arrays) costs
    /// 100–200 ns a leaf, some 60 times a regex step, and a step should cost about the same everywhere.
    static let stepsPerLeaf = 64

    init(event: FlattenedEvent, meter: StepMeter = StepMeter(budget: nil)) {
        self.event = event
        self.meter = meter
    }

    /// Whether `required` (candidate leaf indices per field) and `absent` (leaf indices that must not be
    /// consistent with the choice) can be satisfied within the subtree of element `node` at `depth`.
    mutating func solve(required: [[Int]], absent: [Int], node: Int32, depth: Int32) throws(WorkBudgetError) -> Bool {
        budget -= 1
        guard budget > 0 else { return false }
        try meter.count((1 &+ absent.count &+ required.reduce(0) { $0 &+ $1.count }) &* Self.stepsPerLeaf)
        for leaf in absent where event.leaves[leaf].node == node { return false }
        // Route options per unresolved field: -1 for a value directly here, else an array id.
        var pending: [(field: Int, options: [Int32])] = []
        for (field, leaves) in required.enumerated() {
            var direct = false
            var arrays: [Int32] = []
            for leaf in leaves {
                let leafNode = event.leaves[leaf].node
                if leafNode == node {
                    direct = true
                } else {
                    let array = arrayBelow(leafNode, depth: depth)
                    if !arrays.contains(array) { arrays.append(array) }
                }
            }
            if direct, absent.isEmpty { continue }
            let options = (direct ? [-1] : []) + arrays
            guard !options.isEmpty else { return false }
            pending.append((field, options))
        }
        var absentArrays: [Int32] = []
        for leaf in absent {
            let array = arrayBelow(event.leaves[leaf].node, depth: depth)
            if !absentArrays.contains(array) { absentArrays.append(array) }
        }
        var choice = [Int](repeating: 0, count: pending.count)
        while true {
            if try satisfies(
                choice, pending: pending, required: required, absent: absent, absentArrays: absentArrays,
                depth: depth)
            {
                return true
            }
            var position = 0
            while position < pending.count {
                choice[position] += 1
                if choice[position] < pending[position].options.count { break }
                choice[position] = 0
                position += 1
            }
            guard position < pending.count else { return false }
            budget -= 1
            guard budget > 0 else { return false }
        }
    }

    private mutating func satisfies(
        _ choice: [Int], pending: [(field: Int, options: [Int32])], required: [[Int]], absent: [Int],
        absentArrays: [Int32], depth: Int32
    ) throws(WorkBudgetError) -> Bool {
        var fieldsByArray: [(array: Int32, fields: [Int])] = []
        for (position, entry) in pending.enumerated() {
            let array = entry.options[choice[position]]
            guard array >= 0 else { continue }
            if let slot = fieldsByArray.firstIndex(where: { $0.array == array }) {
                fieldsByArray[slot].fields.append(entry.field)
            } else {
                fieldsByArray.append((array, [entry.field]))
            }
        }
        // Values of absent fields in an array no chosen field constrains are consistent with the choice.
        for array in absentArrays where !fieldsByArray.contains(where: { $0.array == array }) { return false }
        for (array, fields) in fieldsByArray {
            try meter.count((absent.count &+ fields.reduce(0) { $0 &+ required[$1].count }) &* Self.stepsPerLeaf)
            let byElement = fields.map { group(required[$0], in: array, depth: depth) }
            let absentByElement = group(absent, in: array, depth: depth)
            var satisfied = false
            for (element, firstLeaves) in byElement[0] {
                var inside = [firstLeaves]
                for other in byElement.dropFirst() {
                    guard let leaves = other[element] else { break }
                    inside.append(leaves)
                }
                guard inside.count == fields.count else { continue }
                if try solve(required: inside, absent: absentByElement[element] ?? [], node: element, depth: depth + 1)
                {
                    satisfied = true
                    break
                }
            }
            if !satisfied { return false }
        }
        return true
    }

    /// The leaves below `array` (an array directly under the current element), keyed by their element of it.
    private func group(_ leaves: [Int], in array: Int32, depth: Int32) -> [Int32: [Int]] {
        var result: [Int32: [Int]] = [:]
        for leaf in leaves {
            let leafNode = event.leaves[leaf].node
            guard event.depthOfNode[Int(leafNode)] > depth else { continue }
            let element = event.ancestor(of: leafNode, atDepth: depth + 1)
            guard event.arrayOfNode[Int(element)] == array else { continue }
            result[element, default: []].append(leaf)
        }
        return result
    }

    private func arrayBelow(_ leafNode: Int32, depth: Int32) -> Int32 {
        event.arrayOfNode[Int(event.ancestor(of: leafNode, atDepth: depth + 1))]
    }
}
