/// Column layout of the `vault` CLI tables (columnize with a 4-space glue, `n/a` for empty cells,
/// a dashed underline under the header).
///
/// ```swift
/// Table.render([["Key", "Value"], ["version", "1"]])
/// // Key        Value
/// // ---        -----
/// // version    1
/// ```
enum Table {
    static let glue = "    "

    /// Rows of cells; the first row is the header and gets an underline of dashes.
    static func render(_ rows: [[String]], underlineHeader: Bool = true) -> String {
        guard let header = rows.first else { return "" }
        var lines = rows
        if underlineHeader {
            let underline = header.map { String(repeating: "-", count: $0.trimmed.count) }
            lines.insert(underline, at: 1)
        }
        return columnize(lines)
    }

    /// Pads every column but the last to its widest cell.
    static func columnize(_ rows: [[String]]) -> String {
        let cells = rows.map { row in row.map { $0.trimmed.isEmpty ? "n/a" : $0.trimmed } }
        var widths: [Int] = []
        for row in cells {
            for (index, cell) in row.enumerated() {
                if widths.count <= index {
                    widths.append(cell.count)
                } else {
                    widths[index] = max(widths[index], cell.count)
                }
            }
        }
        return cells.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count) + glue
            }.joined()
        }.joined(separator: "\n")
    }

    /// `== Title ==` padded with `=` to about `totalLength` characters (Vault's `padEqualSigns`).
    static func padEqualSigns(_ header: String, totalLength: Int) -> String {
        var signs = totalLength - (header.utf8.count + 2)
        if signs <= 0 { signs = 4 }
        if signs % 2 != 0 { signs += 1 }
        let side = String(repeating: "=", count: signs / 2)
        return "\(side) \(header) \(side)"
    }

    /// The section header Vault prints above a map's table (`getHeaderForMap`).
    static func header(_ title: String, forKeys keys: some Collection<String>) -> String {
        let longest = keys.map(\.utf8.count).max() ?? 0
        return padEqualSigns(title, totalLength: longest + 4 + 5)
    }
}

extension String {
    var trimmed: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
