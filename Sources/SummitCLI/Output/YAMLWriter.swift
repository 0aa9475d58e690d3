import SummitCodec

/// YAML for `--output yaml`: the proto3 JSON of a message, as block YAML.
enum YAMLWriter {
  static func yaml(_ value: JSONValue, indent: Int = 0) -> String {
    var out = ""
    write(value, indent: indent, into: &out, inline: false)
    return out
  }

  private static func write(_ value: JSONValue, indent: Int, into out: inout String, inline: Bool) {
    let pad = String(repeating: "  ", count: indent)
    switch value {
    case .object(let members):
      if members.isEmpty {
        out += (inline ? " " : pad) + "{}\n"
        return
      }
      if inline { out += "\n" }
      for (key, member) in members {
        out += pad + scalar(key) + ":"
        if case .object(let m) = member, !m.isEmpty {
          write(member, indent: indent + 1, into: &out, inline: true)
        } else if case .array(let a) = member, !a.isEmpty {
          out += "\n"
          write(member, indent: indent + 1, into: &out, inline: false)
        } else {
          out += " " + leaf(member) + "\n"
        }
      }
    case .array(let items):
      if items.isEmpty {
        out += (inline ? " " : pad) + "[]\n"
        return
      }
      for item in items {
        out += pad + "-"
        switch item {
        case .object(let m) where !m.isEmpty:
          var nested = ""
          write(item, indent: indent + 1, into: &nested, inline: false)
          // The first member goes on the dash's line.
          out += " " + nested.drop(while: { $0 == " " })
        case .array(let a) where !a.isEmpty:
          out += "\n"
          write(item, indent: indent + 1, into: &out, inline: false)
        default:
          out += " " + leaf(item) + "\n"
        }
      }
    default:
      out += (inline ? " " : pad) + leaf(value) + "\n"
    }
  }

  private static func leaf(_ value: JSONValue) -> String {
    switch value {
    case .null: "null"
    case .bool(let b): b ? "true" : "false"
    case .number(let n): n
    case .string(let s): scalar(s)
    case .object: "{}"
    case .array: "[]"
    }
  }

  /// A plain scalar when safe, else a double-quoted one.
  private static func scalar(_ s: String) -> String {
    let plain =
      !s.isEmpty && s.first.map { $0.isLetter || $0 == "/" } == true
      && s.allSatisfy { $0.isLetter || $0.isNumber || " _-./()".contains($0) }
      && !["true", "false", "null", "yes", "no", "on", "off", "~"].contains(s.lowercased()) && !s.hasSuffix(" ")
    if plain { return s }
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20: out += "\\x" + String(scalar.value, radix: 16)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }
}
