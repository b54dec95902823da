/// Evaluates the branches of a program against one flattened event.
struct BranchEvaluator {
    let event: FlattenedEvent
    let fields: [FilterField]

    /// Whether `branch` holds: cheap checks first, the array-consistency search only when values sit in arrays.
    func matches(_ branch: FilterBranch) -> Bool {
        var meter = StepMeter(budget: nil)
        return (try? matches(branch, meter: &meter)) ?? false
    }

    /// ``matches(_:)``, counting its work on `meter`: one step per condition tried on a value (and one per byte
    /// of a string for each time a wildcard, case-insensitive, address or exclusion condition reads it: about
    /// 4 ns a byte), plus the steps of the array-consistency search.
    func matches(_ branch: FilterBranch, meter: inout StepMeter) throws(WorkBudgetError) -> Bool {
        // Through buffer pointers: subscripting `fields` by value would copy a whole `FilterField` (five
        // reference-counted members) per condition checked, which dominated the mixed-pattern profile.
        var steps = 0
        let needsSearch: Bool? = fields.withUnsafeBufferPointer { fields in
            event.leaves.withUnsafeBufferPointer { leaves in
                var needsSearch = false
                for index in branch.required {
                    let field = fields.baseAddress! + Int(index)
                    var found = false
                    var foundOutsideArrays = false
                    for position in event.range(of: field.pointee.pathID) {
                        steps &+= Self.work(field, leaves.baseAddress! + position)
                        guard Self.satisfies(field, leaves.baseAddress! + position) else { continue }
                        found = true
                        if leaves[position].node == 0 {
                            foundOutsideArrays = true
                            break
                        }
                    }
                    guard found else { return nil }
                    if !foundOutsideArrays { needsSearch = true }
                }
                for index in branch.absent {
                    for position in event.range(of: fields[Int(index)].pathID) {
                        if leaves[position].node == 0 { return nil }
                        needsSearch = true
                    }
                }
                return needsSearch
            }
        }
        try meter.count(steps)
        guard let needsSearch else { return false }
        guard needsSearch else { return true }
        var required: [[Int]] = []
        required.reserveCapacity(branch.required.count)
        fields.withUnsafeBufferPointer { fields in
            event.leaves.withUnsafeBufferPointer { leaves in
                for index in branch.required {
                    let field = fields.baseAddress! + Int(index)
                    required.append(
                        event.range(of: field.pointee.pathID).filter {
                            steps &+= Self.work(field, leaves.baseAddress! + $0)
                            return Self.satisfies(field, leaves.baseAddress! + $0)
                        }
                    )
                }
            }
        }
        var absent: [Int] = []
        for index in branch.absent { absent += event.range(of: fields[Int(index)].pathID) }
        try meter.count(steps)
        var search = ArrayConsistency(event: event, meter: meter)
        defer { meter = search.meter }
        return try search.solve(required: required, absent: absent, node: 0, depth: 0)
    }

    /// The steps checking `field` against `leaf` takes.
    @inline(__always)
    private static func work(_ field: UnsafePointer<FilterField>, _ leaf: UnsafePointer<EventLeaf>) -> Int {
        let conditions = field.pointee.conditions.count
        guard field.pointee.scansText, case .string(let text) = leaf.pointee.value else { return conditions }
        return conditions &+ field.pointee.textScans &* text.utf8.count
    }

    /// ``FilterField/matches(_:)`` through pointers, so that neither the field, its conditions nor the value
    /// are copied (each copy retains and releases their storage).
    @inline(__always)
    private static func satisfies(_ field: UnsafePointer<FilterField>, _ leaf: UnsafePointer<EventLeaf>) -> Bool {
        field.pointee.conditions.withUnsafeBufferPointer { conditions in
            for position in conditions.indices where conditions[position].matches(leaf.pointee.value) { return true }
            return false
        }
    }

    /// The first condition of `branch`, in pattern order, that no event value satisfies; when each holds
    /// alone, the failure is that they hold only in different elements of an array.
    func failure(of branch: FilterBranch) -> FilterExplanation.Failure {
        let ordered = (branch.required.map { ($0, true) } + branch.absent.map { ($0, false) }).sorted { $0.0 < $1.0 }
        for (index, isRequired) in ordered {
            let field = fields[Int(index)]
            let values = event.range(of: field.pathID).map { event.leaves[$0].value }
            if isRequired, !values.contains(where: field.matches) {
                return failure(field, values: values)
            }
            if !isRequired, !values.isEmpty {
                return FilterExplanation.Failure(
                    path: field.path, patternPath: field.pointer, operator: "exists", expected: .bool(false),
                    actual: actual(values), reason: "\(field.path) is present but the pattern requires it absent")
            }
        }
        let field = fields[Int(ordered.first?.0 ?? 0)]
        return FilterExplanation.Failure(
            path: field.path, patternPath: field.pointer, operator: "same-array-element", expected: field.source,
            actual: actual(event.range(of: field.pathID).map { event.leaves[$0].value }),
            reason: "the conditions hold only in different elements of an array of objects")
    }

    private func failure(_ field: FilterField, values: [EventScalar]) -> FilterExplanation.Failure {
        let elements = field.source.arrayValue ?? []
        let single = field.conditions.count == 1 && !field.allowsAbsence
        let operatorName = single ? field.conditions[0].operatorName : "any-of"
        let expected: JSONValue
        if single, let element = elements.first(where: { !Self.isAbsenceTest($0) }) {
            expected = element.objectValue?.values.first ?? element
        } else {
            expected = field.source
        }
        let reason =
            values.isEmpty
            ? "\(field.path) is missing"
            : "no value of \(field.path) satisfies \(operatorName) \(expected.serialized())"
        return FilterExplanation.Failure(
            path: field.path, patternPath: field.pointer, operator: operatorName, expected: expected,
            actual: actual(values), reason: reason)
    }

    private static func isAbsenceTest(_ element: JSONValue) -> Bool {
        element.objectValue?["exists"] == .bool(false)
    }

    private func actual(_ values: [EventScalar]) -> JSONValue? {
        switch values.count {
        case 0: nil
        case 1: values[0].json
        default: .array(values.map(\.json))
        }
    }
}
