/// A plain-text table for the admin commands: a header row, then rows; numeric columns aligned right.
struct TextTable {
    let header: [String]
    /// Columns whose cells are aligned right.
    var rightAligned: Set<Int> = []
    private(set) var rows: [[String]] = []

    init(_ header: [String], rightAligned: Set<Int> = []) {
        self.header = header
        self.rightAligned = rightAligned
    }

    mutating func append(_ row: [String]) { rows.append(row) }

    var rendered: String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.indices.map { column in
                let padding = String(repeating: " ", count: widths[column] - row[column].count)
                return rightAligned.contains(column) ? padding + row[column] : row[column] + padding
            }
            .joined(separator: "  ")
            .trimmingTrailingSpaces
        }
        .joined(separator: "\n")
    }
}

extension String {
    fileprivate var trimmingTrailingSpaces: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}

extension Duration {
    /// `42s`, `4m05s`, `3h07m`, `2d04h`: an age at a glance.
    var compactAge: String {
        let seconds = max(0, components.seconds)
        switch seconds {
        case ..<60: return "\(seconds)s"
        case ..<3600: return "\(seconds / 60)m" + twoDigits(seconds % 60) + "s"
        case ..<86_400: return "\(seconds / 3600)h" + twoDigits(seconds % 3600 / 60) + "m"
        default: return "\(seconds / 86_400)d" + twoDigits(seconds % 86_400 / 3600) + "h"
        }
    }

    private func twoDigits(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
