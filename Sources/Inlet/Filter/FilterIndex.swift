/// The candidate index of a ``CompiledFilterSet``: which branches an event's leaf values can possibly
/// satisfy, found by hash lookups instead of trying every pattern.
///
/// Each branch is anchored on one of its required fields. A field whose conditions are all exact values or
/// prefixes is anchored by value (`(path, value)` → branches, and prefix tables per path); otherwise the branch
/// is anchored on the presence of the field's path. Branches with only absence tests are always candidates.
/// Anchors are necessary conditions, so candidates are then checked in full.
struct FilterIndex: Sendable {
    enum Value: Hashable, Sendable {
        case text(TextKey)
        case address(IPAddress)
        case number(FilterNumber)
        case bool(Bool)
        case null
    }

    private struct ExactKey: Hashable, Sendable {
        var path: Int32
        var value: Value
    }

    /// Prefix conditions of one path, by prefix, with the distinct prefix lengths in bytes.
    private struct PrefixTable: Sendable {
        var lengths: [Int] = []
        var branches: [TextKey: [Int32]] = [:]
    }

    private var exact: [ExactKey: [Int32]] = [:]
    private var prefixes: [PrefixTable?]
    private var hasAddresses: [Bool]
    private var presence: [[Int32]]
    private(set) var unanchored: [Int32] = []

    init(pathCount: Int) {
        prefixes = Array(repeating: nil, count: pathCount)
        hasAddresses = Array(repeating: false, count: pathCount)
        presence = Array(repeating: [], count: pathCount)
    }

    /// Registers `branch` under the best anchor among its required fields.
    mutating func add(branch: Int32, required: [FilterField]) {
        guard let anchor = required.first(where: { $0.conditions.allSatisfy(Self.isIndexable) }) else {
            if let field = required.first {
                presence[Int(field.pathID)].append(branch)
            } else {
                unanchored.append(branch)
            }
            return
        }
        let path = anchor.pathID
        for condition in anchor.conditions {
            switch condition {
            case .equalsString(let text), .exactly(let text):
                exact[ExactKey(path: path, value: .text(text)), default: []].append(branch)
            case .equalsAddress(let address):
                exact[ExactKey(path: path, value: .address(address)), default: []].append(branch)
                hasAddresses[Int(path)] = true
            case .equalsNumber(let number):
                exact[ExactKey(path: path, value: .number(number)), default: []].append(branch)
            case .equalsBool(let flag): exact[ExactKey(path: path, value: .bool(flag)), default: []].append(branch)
            case .equalsNull: exact[ExactKey(path: path, value: .null), default: []].append(branch)
            case .prefix(let prefix):
                var table = prefixes[Int(path)] ?? PrefixTable()
                let length = prefix.text.utf8.count
                if !table.lengths.contains(length) {
                    table.lengths.append(length)
                    table.lengths.sort()
                }
                table.branches[prefix, default: []].append(branch)
                prefixes[Int(path)] = table
            default: break
            }
        }
    }

    private static func isIndexable(_ condition: FilterCondition) -> Bool {
        switch condition {
        case .equalsString, .exactly, .equalsAddress, .equalsNumber, .equalsBool, .equalsNull, .prefix: true
        default: false
        }
    }

    /// Appends to `candidates` the branches anchored on `leaf`.
    func collect(_ leaf: EventLeaf, isFirstAtPath: Bool, into candidates: inout [Int32]) {
        let path = leaf.path
        if isFirstAtPath { candidates += presence[Int(path)] }
        switch leaf.value {
        case .string(let text):
            append(.text(TextKey(text)), path, &candidates)
            if hasAddresses[Int(path)], let address = IPAddress(text) { append(.address(address), path, &candidates) }
            if let table = prefixes[Int(path)] { collectPrefixes(of: text, table, &candidates) }
        case .number(let number): append(.number(FilterNumber(number)), path, &candidates)
        case .bool(let flag): append(.bool(flag), path, &candidates)
        case .null: append(.null, path, &candidates)
        }
    }

    private func append(_ value: Value, _ path: Int32, _ candidates: inout [Int32]) {
        if let branches = exact[ExactKey(path: path, value: value)] { candidates += branches }
    }

    private func collectPrefixes(of text: String, _ table: PrefixTable, _ candidates: inout [Int32]) {
        let utf8 = text.utf8
        let count = utf8.count
        for length in table.lengths {
            guard length <= count else { break }
            let end = utf8.index(utf8.startIndex, offsetBy: length)
            // A prefix ends on a scalar boundary: never before a UTF-8 continuation byte.
            if end != utf8.endIndex, utf8[end] & 0xC0 == 0x80 { continue }
            if let branches = table.branches[TextKey(Substring(utf8[..<end]))] { candidates += branches }
        }
    }
}
