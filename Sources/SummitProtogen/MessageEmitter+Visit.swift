/// `visitFields`: hands each present field to a ``ProtoVisitor``, in field
/// order, the way protobuf's reflection lists set fields (proto3 scalars when
/// not zero, messages when present, the chosen member of a oneof always).
extension MessageEmitter {
  func emitVisit(into w: inout CodeWriter) {
    let infoIndex = Dictionary(uniqueKeysWithValues: def.fields.enumerated().map { ($1.number, $0) })
    let oneofByField = Dictionary(
      uniqueKeysWithValues: oneofs.flatMap { o in o.members.map { ($0.field.number, o) } })
    var emittedOneofs = Set<String>()
    let fieldsByNumber = def.fields.sorted { $0.number < $1.number }.map { FieldShape($0, in: index) }
    let hasFields = !fieldsByNumber.isEmpty
    w.block("public func visitFields<Visitor: ProtoVisitor>(_ \(hasFields ? "visitor" : "_"): inout Visitor)") { w in
      for field in fieldsByNumber {
        let info = "Self.protoFields[\(infoIndex[field.field.number]!)]"
        if let oneof = oneofByField[field.field.number] {
          guard emittedOneofs.insert(oneof.propertyName).inserted else { continue }
          w.block("switch \(oneof.propertyName)") { w in
            for member in oneof.members {
              let memberInfo = "Self.protoFields[\(infoIndex[member.field.number]!)]"
              w.line("case .\(member.swiftName)(let value)?: visitor.visit(\(member.protoValue("value")), \(memberInfo))")
            }
            w.line("case nil: break")
          }
          continue
        }
        let name = "self." + field.swiftName
        switch field.cardinality {
        case .repeated:
          w.line("if !\(name).isEmpty { visitor.visit(.repeated(\(name).map { \(field.protoValue("$0")) }), \(info)) }")
        case .map(let key, let value, _):
          w.line(
            "if !\(name).isEmpty { visitor.visit(.map(\(name).map { (\(key.protoValue("$0.key")), "
              + "\(value.protoValue("$0.value"))) }), \(info)) }")
        case .singular, .oneofMember:
          w.line("if \(presence(field, name)) { visitor.visit(\(field.protoValue(presentValue(field, name))), \(info)) }")
        }
      }
    }
  }

  private func presence(_ field: FieldShape, _ name: String) -> String {
    switch field.element {
    case .message: return "let value = \(name)"
    case .enumeration: return "\(name).rawValue != 0"
    case .scalar(let t):
      switch t {
      case .string, .bytes: return "!\(name).isEmpty"
      case .bool: return name
      // -0.0 is present (other implementations write it); only +0.0 is the default.
      case .float, .double: return "\(name).bitPattern != 0"
      default: return "\(name) != 0"
      }
    }
  }

  private func presentValue(_ field: FieldShape, _ name: String) -> String {
    if case .message = field.element { return "value" }
    return name
  }
}
