/// The protobuf-c bridge of one message: `_cFill` copies a Swift value into
/// an arena-backed C struct for `pack`, and `init(_c:)` copies an unpacked C
/// struct into Swift. Every pointer stays inside these two functions.
extension MessageEmitter {
  func emitFill(into w: inout CodeWriter) {
    let cType = entry.cType
    w.line("/// A C copy of this message, allocated in `arena`, for protobuf-c to pack.")
    w.block("func _cNew(_ arena: ProtoArena) -> UnsafeMutablePointer<\(cType)>") { w in
      w.line("let c = arena.allocate(\(cType).self)")
      w.line("\(entry.cStem)__init(c)")
      w.line("_cFill(c, arena)")
      w.line("return c")
    }
    w.line()
    let fields = plainFields
    let used = !fields.isEmpty || !oneofs.isEmpty
    w.block("func _cFill(_ c: UnsafeMutablePointer<\(cType)>, _ arena: ProtoArena)") { w in
      for field in fields {
        let value = "self." + field.swiftName
        let target = "c.pointee." + field.cName
        switch field.cardinality {
        case .singular, .oneofMember:
          emitAssign(field, value: value, target: target, skipDefault: true, into: &w)
        case .repeated:
          w.block("if !\(value).isEmpty") { w in
            w.line("c.pointee.n_\(field.cName) = \(value).count")
            w.line("\(target) = \(repeatedFill(field, value))")
          }
        case .map(let key, let mapValue, let mapEntry):
          w.block("if !\(value).isEmpty") { w in
            w.line("let entries = arena.allocate(UnsafeMutablePointer<\(mapEntry.cType)>?.self, count: \(value).count)")
            w.block("for (i, (key, value)) in \(value).enumerated()") { w in
              w.line("let e = arena.allocate(\(mapEntry.cType).self)")
              w.line("\(mapEntry.cStem)__init(e)")
              emitAssign(key, value: "key", target: "e.pointee." + key.cName, skipDefault: false, into: &w)
              emitAssign(mapValue, value: "value", target: "e.pointee." + mapValue.cName, skipDefault: false, into: &w)
              if case .scalar(let t) = mapValue.element, t == .float || t == .double {
                let kind = t == .float ? "float" : "double"
                w.line("if value == 0, value.sign == .minus {")
                w.line("  UnknownFields().store(inMessage: UnsafeMutableRawPointer(e), arena, adding: [.negativeZero(\(kind): 2)])")
                w.line("}")
              }
              w.line("entries[i] = e")
            }
            w.line("c.pointee.n_\(field.cName) = \(value).count")
            w.line("\(target) = entries")
          }
        }
      }
      for oneof in oneofs {
        w.block("switch self.\(oneof.propertyName)") { w in
          for member in oneof.members {
            w.line("case .\(member.swiftName)(let value)?:")
            w.line("  c.pointee.\(Naming.cField(oneof.def.name))_case = .init(rawValue: \(member.field.number))")
            var inner = CodeWriter()
            emitAssign(member, value: "value", target: "c.pointee." + member.cName, skipDefault: false, into: &inner)
            for l in inner.text.split(separator: "\n") { w.line("  " + l) }
          }
          w.line("case nil: break")
        }
      }
      let signedZeroFields = fields.filter {
        if case .singular = $0.cardinality, case .scalar(let t) = $0.element { return t == .float || t == .double }
        return false
      }
      if signedZeroFields.isEmpty {
        w.line("unknownFields.store(inMessage: UnsafeMutableRawPointer(c), arena)")
      } else {
        w.line("// protobuf-c drops -0.0 as a zero; it goes out as a raw field of the same number.")
        w.line("var negativeZeros: [UnknownFields.Field] = []")
        for f in signedZeroFields {
          let kind = f.field.type == .float ? "float" : "double"
          w.line("if self.\(f.swiftName) == 0, self.\(f.swiftName).sign == .minus { negativeZeros.append(.negativeZero(\(kind): \(f.field.number))) }")
        }
        w.line("unknownFields.store(inMessage: UnsafeMutableRawPointer(c), arena, adding: negativeZeros)")
      }
      if !used { w.line("_ = arena") }
    }
  }

  /// Assigns one Swift value to one C member. Proto3 defaults are skipped
  /// where protobuf-c's own initializer already holds them.
  private func emitAssign(_ f: FieldShape, value: String, target: String, skipDefault: Bool, into w: inout CodeWriter) {
    switch f.element {
    case .message:
      if case .singular = f.cardinality, skipDefault {
        // Optional chaining reads the message in place (`if let` would copy
        // it); nil leaves the NULL protobuf-c's initializer put there.
        w.line("\(target) = \(value)?._cNew(arena)")
      } else {
        w.line("\(target) = \(value)._cNew(arena)")
      }
    case .enumeration:
      w.line("\(target) = .init(rawValue: .init(truncatingIfNeeded: \(value).rawValue))")
    case .scalar(let t):
      switch t {
      case .string:
        w.line(skipDefault ? "if !\(value).isEmpty { \(target) = arena.cString(\(value)) }" : "\(target) = arena.cString(\(value))")
      case .bytes:
        let assign = "\(target) = .init(len: \(value).count, data: arena.bytes(\(value)))"
        w.line(skipDefault ? "if !\(value).isEmpty { \(assign) }" : assign)
      case .bool:
        w.line("\(target) = \(value) ? 1 : 0")
      default:
        w.line("\(target) = \(value)")
      }
    }
  }

  private func repeatedFill(_ f: FieldShape, _ value: String) -> String {
    switch f.element {
    case .message:
      return "arena.pointers(\(value)) { $0.pointee._cNew(arena) }"
    case .enumeration:
      return "arena.copy(\(value)) { .init(rawValue: .init(truncatingIfNeeded: $0.rawValue)) }"
    case .scalar(let t):
      switch t {
      case .string: return "arena.cStrings(\(value))"
      case .bytes: return "arena.copy(\(value)) { .init(len: $0.count, data: arena.bytes($0)) }"
      case .bool: return "arena.copy(\(value)) { $0 ? 1 : 0 }"
      default: return "arena.copy(\(value))"
      }
    }
  }

  func emitDecode(into w: inout CodeWriter) {
    let cType = entry.cType
    w.line("/// Copies an unpacked C message into Swift; throws on invalid UTF-8.")
    w.block("init(_c c: UnsafePointer<\(cType)>) throws(CodecError)") { w in
      w.line("self.init()")
      w.line("try _cRead(c)")
    }
    w.line()
    // Filling `self` in a mutating method rather than in the initializer's
    // body keeps the optimiser from building the message in a temporary and
    // copying it out (a retain and release of every field).
    w.line("/// Sets the fields from an unpacked C message; throws on invalid UTF-8.")
    w.block("mutating func _cRead(_ c: UnsafePointer<\(cType)>) throws(CodecError)") { w in
      let fields = plainFields
      if !fields.isEmpty || !oneofs.isEmpty { w.line("let m = c.pointee") }
      for field in fields {
        let source = "m." + field.cName
        let target = "self." + field.swiftName
        switch field.cardinality {
        case .singular, .oneofMember:
          if case .message(let msg) = field.element {
            w.line("if let p = \(source) { \(target) = try \(msg.swiftName)(_c: p) }")
          } else {
            w.line("\(target) = \(decodeExpr(field, source))")
          }
        case .repeated:
          w.line("\(target) = \(repeatedDecode(field, source, count: "m.n_" + field.cName))")
        case .map(let key, let value, _):
          w.block("if m.n_\(field.cName) > 0") { w in
            w.line("\(target).reserveCapacity(m.n_\(field.cName))")
            w.block("for i in 0..<m.n_\(field.cName)") { w in
              w.line("guard let e = \(source)[i]?.pointee else { continue }")
              let valueExpr: String
              if case .message(let msg) = value.element {
                valueExpr = "try e.\(value.cName).map { p throws(CodecError) in try \(msg.swiftName)(_c: p) } ?? \(msg.swiftName)()"
              } else {
                valueExpr = decodeExpr(value, "e." + value.cName)
              }
              w.line("\(target)[\(decodeExpr(key, "e." + key.cName))] = \(valueExpr)")
            }
          }
        }
      }
      for oneof in oneofs {
        w.block("switch m.\(Naming.cField(oneof.def.name))_case.rawValue") { w in
          for member in oneof.members {
            let expr: String
            if case .message(let msg) = member.element {
              expr = "try \(msg.swiftName)(_c: m.\(member.cName)!)"
            } else {
              expr = decodeExpr(member, "m." + member.cName)
            }
            w.line("case \(member.field.number): self.\(oneof.propertyName) = .\(member.swiftName)(\(expr))")
          }
          w.line("default: self.\(oneof.propertyName) = nil")
        }
      }
      w.line("unknownFields = try UnknownFields(cMessage: UnsafeRawPointer(c))")
    }
  }

  /// An expression decoding one non-message value held in C expression `source`.
  private func decodeExpr(_ f: FieldShape, _ source: String) -> String {
    switch f.element {
    case .message: fatalError("messages decode through init(_c:)")
    case .enumeration: return ".init(rawValue: Int32(truncatingIfNeeded: \(source).rawValue))"
    case .scalar(let t):
      switch t {
      case .string: return "try ProtoC.string(\(source), field: \(swiftLiteral(def.fullName + "." + f.field.name)))"
      case .bytes: return "ProtoC.bytes(\(source).data, count: \(source).len)"
      case .bool: return "\(source) != 0"
      default: return source
      }
    }
  }

  private func repeatedDecode(_ f: FieldShape, _ source: String, count: String) -> String {
    switch f.element {
    case .message(let m):
      return "try ProtoC.array(\(source), count: \(count)) { p throws(CodecError) in try \(m.swiftName)(_c: p!) }"
    case .enumeration:
      return "try ProtoC.array(\(source), count: \(count)) { .init(rawValue: Int32(truncatingIfNeeded: $0.rawValue)) }"
    case .scalar(let t):
      switch t {
      case .string:
        return "try ProtoC.strings(\(source), count: \(count), field: \(swiftLiteral(def.fullName + "." + f.field.name)))"
      case .bytes: return "try ProtoC.array(\(source), count: \(count)) { ProtoC.bytes($0.data, count: $0.len) }"
      case .bool: return "try ProtoC.array(\(source), count: \(count)) { $0 != 0 }"
      default: return "ProtoC.array(\(source), count: \(count))"
      }
    }
  }
}
