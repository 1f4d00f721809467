/// The one table renderer of every text output: the CLI's tables and the report's.
public enum TextTable {
    /// Plain text: rows (the first is the header) with columns padded to fit, indented two
    /// spaces, without trailing spaces.
    ///
    /// - Parameter rightAligned: The columns to align right (numbers).
    public static func plain(_ rows: [[String]], rightAligned: Set<Int> = []) -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: columns)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var text = ""
        for row in rows {
            let cells = row.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return rightAligned.contains(i) ? pad + cell : cell + pad
            }
            text += ("  " + cells.joined(separator: "  ")).trimmingTrailingSpaces() + "\n"
        }
        return text
    }

    /// A Markdown table; `|` in cells is escaped.
    public static func markdown(_ rows: [[String]]) -> String {
        guard let header = rows.first else { return "" }
        func line(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n"
        }
        return line(header) + line(header.map { _ in "---" }) + rows.dropFirst().map(line).joined()
    }
}

extension String {
    /// The text without the spaces at its end (lines of a table or a side-by-side view).
    public func trimmingTrailingSpaces() -> String {
        var text = self
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }
}
