/// Emits a Swift enum for a proto enum: one case per known value plus
/// `unrecognized(Int32)`, so that values from a newer schema survive a
/// decode and re-encode.
enum EnumEmitter {
  static func emit(_ e: SchemaIndex.EnumEntry, into w: inout CodeWriter) {
    let typeName = e.swiftName.split(separator: ".").last.map(String.init) ?? e.swiftName
    // The first name for each number wins; later aliases map to it.
    var seen = Set<Int32>()
    let values = e.def.values.filter { seen.insert($0.number).inserted }
    let cases = values.map { (value: $0, name: Naming.swiftEnumCase($0.name, enumName: e.def.name)) }

    w.doc(e.def.comment)
    w.block("public enum \(typeName): ProtoEnum") { w in
      for c in cases {
        w.doc(c.value.comment)
        w.line("case \(c.name)")
      }
      w.line("/// A value this version of the schema does not know.")
      w.line("case unrecognized(Int32)")
      w.line()
      w.line("public static let protoEnumName = \(swiftLiteral(e.def.fullName))")
      w.line("public static let knownCases: [Self] = [\(cases.map { "." + $0.name }.joined(separator: ", "))]")
      w.line()
      w.block("public init(rawValue: Int32)") { w in
        w.block("switch rawValue") { w in
          for c in cases { w.line("case \(c.value.number): self = .\(c.name)") }
          w.line("default: self = .unrecognized(rawValue)")
        }
      }
      w.line()
      w.block("public var rawValue: Int32") { w in
        w.block("switch self") { w in
          for c in cases { w.line("case .\(c.name): \(c.value.number)") }
          w.line("case .unrecognized(let value): value")
        }
      }
      w.line()
      w.block("public var protoName: String?") { w in
        w.block("switch self") { w in
          for c in cases { w.line("case .\(c.name): \(swiftLiteral(c.value.name))") }
          w.line("case .unrecognized: nil")
        }
      }
    }
  }
}
