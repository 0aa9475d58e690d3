/// Tables and key/value views for the `table` output.
enum TextLayout {
  /// Columns aligned; the last column wraps to fit `width`.
  static func table(_ header: [String], _ rows: [[String]], width: Int = Terminal.width) -> String {
    guard !rows.isEmpty else { return "(none)\n" }
    var widths = header.map(\.count)
    for row in rows {
      for (i, cell) in row.enumerated() where i < widths.count - 1 { widths[i] = max(widths[i], cell.count) }
    }
    let leading = widths.dropLast().reduce(0) { $0 + $1 + 2 }
    // Too little room for the last column: it goes under its row, indented.
    let below = width - leading < 36
    let lastWidth = below ? width - 4 : width - leading
    var out = ""
    func emit(_ cells: [String]) {
      if below {
        var text = ""
        for (i, cell) in cells.dropLast().enumerated() { text += cell + String(repeating: " ", count: widths[i] - cell.count + 2) }
        out += text.trimmingTrailingSpaces() + "\n"
        for line in wrap(cells.last ?? "", width: lastWidth) where !line.isEmpty { out += "    " + line + "\n" }
        return
      }
      let wrapped = wrap(cells.last ?? "", width: lastWidth)
      for (lineIndex, line) in wrapped.enumerated() {
        var text = ""
        for (i, cell) in cells.dropLast().enumerated() {
          let shown = lineIndex == 0 ? cell : ""
          text += shown + String(repeating: " ", count: widths[i] - shown.count + 2)
        }
        out += (text + line).trimmingTrailingSpaces() + "\n"
      }
    }
    emit(header.map { $0.uppercased() })
    for row in rows { emit(row) }
    return out
  }

  /// `key: value` lines, values wrapped and indented under themselves.
  static func details(_ fields: [(String, String)], width: Int = Terminal.width) -> String {
    let keyWidth = (fields.map(\.0.count).max() ?? 0) + 2
    var out = ""
    for (key, value) in fields where !value.isEmpty {
      let lines = value.split(separator: "\n", omittingEmptySubsequences: false).flatMap {
        wrap(String($0), width: max(20, width - keyWidth))
      }
      for (i, line) in lines.enumerated() {
        let label = i == 0 ? key + ":" : ""
        out += label + String(repeating: " ", count: keyWidth - label.count) + line + "\n"
      }
    }
    return out
  }

  static func wrap(_ text: String, width: Int) -> [String] {
    guard text.count > width else { return [text] }
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ") {
      if line.isEmpty {
        line = String(word)
      } else if line.count + 1 + word.count <= width {
        line += " " + word
      } else {
        lines.append(line)
        line = String(word)
      }
      while line.count > width {
        lines.append(String(line.prefix(width)))
        line = String(line.dropFirst(width))
      }
    }
    if !line.isEmpty { lines.append(line) }
    return lines
  }
}

extension String {
  func trimmingTrailingSpaces() -> String {
    var s = self
    while s.hasSuffix(" ") { s.removeLast() }
    return s
  }
}
