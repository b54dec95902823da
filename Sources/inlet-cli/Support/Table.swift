import Foundation

/// Rows printed as aligned columns under a header, for people; `--json` prints the API's JSON instead.
struct Table {
    let header: [String]
    var rows: [[String]] = []

    init(_ header: String...) {
        self.header = header
    }

    mutating func append(_ row: [String]) {
        rows.append(row)
    }

    /// The table's text: columns two spaces apart, the last column unpadded; no trailing newline.
    var rendered: String {
        let lines = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for line in lines {
            for (index, cell) in line.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        return lines.map { line in
            line.enumerated().map { index, cell in
                index == line.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

/// Label/value lines for one resource (`inlet jobs get`).
struct Details {
    private(set) var fields: [(label: String, value: String)] = []

    mutating func append(_ label: String, _ value: String?) {
        fields.append((label, value ?? "-"))
    }

    var rendered: String {
        let width = fields.map(\.label.count).max() ?? 0
        return fields.map { "\($0.label.padding(toLength: width, withPad: " ", startingAt: 0))  \($0.value)" }
            .joined(separator: "\n")
    }
}
