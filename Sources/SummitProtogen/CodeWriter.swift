/// Accumulates generated source with two-space indentation.
struct CodeWriter {
  private(set) var text = ""
  private var indentation = 0

  mutating func line(_ s: String = "") {
    if s.isEmpty {
      text += "\n"
    } else {
      text += String(repeating: "  ", count: indentation) + s + "\n"
    }
  }

  /// Writes `header {`, the body one level in, then `}`.
  mutating func block(_ header: String, _ body: (inout CodeWriter) -> Void) {
    line(header + " {")
    indentation += 1
    body(&self)
    indentation -= 1
    line("}")
  }

  /// A proto comment as `///` doc lines.
  mutating func doc(_ comment: String) {
    let lines = comment.split(separator: "\n", omittingEmptySubsequences: false)
      .map { $0.hasPrefix(" ") ? String($0.dropFirst()) : String($0) }
    let trimmed = lines.reversed().drop(while: { $0.isEmpty }).reversed()
    for l in trimmed { line(l.isEmpty ? "///" : "/// " + l) }
  }
}

/// A Swift string literal for `s`.
func swiftLiteral(_ s: String) -> String {
  var out = "\""
  for scalar in s.unicodeScalars {
    switch scalar {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    default: out.unicodeScalars.append(scalar)
    }
  }
  return out + "\""
}
