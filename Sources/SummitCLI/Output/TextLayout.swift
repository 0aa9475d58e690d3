/// Tables and key/value views for the `table` output.
enum TextLayout {
  /// Columns aligned within `width`. The last column wraps when it has room
  /// (30 characters or more); columns that do not fit go under their row
  /// as `name: value` lines.
  static func table(_ header: [String], _ rows: [[String]], width: Int = Terminal.width) -> String {
    guard !rows.isEmpty else { return "(none)\n" }
    let n = header.count
    var widths = header.map(\.count)
    for row in rows {
      for (i, cell) in row.enumerated() where i < n { widths[i] = max(widths[i], cell.count) }
    }
    func span(_ k: Int) -> Int { widths.prefix(k).reduce(0, +) + 2 * max(0, k - 1) }
    var inline = n
    if span(n - 1) + 2 + min(widths[n - 1], 30) > width {
      inline = n - 1
      while inline > 1 && span(inline) > width { inline -= 1 }
    }
    let lastWraps = inline == n
    let lastWidth = width - span(n - 1) - 2
    var out = ""
    func emit(_ cells: [String], isHeader: Bool) {
      let shown = Array(cells.prefix(inline))
      let wrapped = lastWraps ? wrap(shown.last ?? "", width: lastWidth) : [shown.last ?? ""]
      for (lineIndex, line) in wrapped.enumerated() {
        var text = ""
        for (i, cell) in shown.dropLast().enumerated() {
          let c = lineIndex == 0 ? cell : ""
          text += c + String(repeating: " ", count: widths[i] - c.count + 2)
        }
        out += (text + line).trimmingTrailingSpaces() + "\n"
      }
      guard !isHeader else { return }
      for i in inline..<n where !cells[i].isEmpty {
        let label = header[i] + ": "
        for (j, line) in wrap(cells[i], width: max(20, width - 4 - label.count)).enumerated() {
          out += "    " + (j == 0 ? label : String(repeating: " ", count: label.count)) + line + "\n"
        }
      }
    }
    emit(header.map { $0.uppercased() }, isHeader: true)
    for row in rows { emit(row, isHeader: false) }
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
