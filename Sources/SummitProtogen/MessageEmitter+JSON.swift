/// `decodeJSONField`: one `case` per field, accepting its JSON name and its
/// proto name, converting the value through ``ProtoJSONDecoder``.
extension MessageEmitter {
  func emitJSONDecode(into w: inout CodeWriter) {
    let fields = def.fields.map { FieldShape($0, in: index) }
    let oneofByNumber = Dictionary(
      uniqueKeysWithValues: oneofs.flatMap { o in o.members.map { ($0.field.number, o) } })
    let signature = "public mutating func decodeJSONField(_ key: String, _ value: JSONValue, _ decoder: ProtoJSONDecoder) throws(CodecError) -> Bool"
    guard !fields.isEmpty else {
      w.block(signature) { w in w.line("false") }
      return
    }
    w.block(signature) { w in
      w.block("switch key") { w in
        for f in fields {
          let names = Set([f.field.jsonName, f.field.name]).sorted().map(swiftLiteral).joined(separator: ", ")
          let path = swiftLiteral(def.fullName + "." + f.field.name)
          let expr: String
          switch f.cardinality {
          case .singular, .oneofMember:
            expr = valueExpr(f, "value", path)
          case .repeated:
            expr = "try decoder.array(value, field: \(path)) { (v) throws(CodecError) in \(valueExpr(f, "v", path)) }"
          case .map(let key, let value, _):
            expr =
              "try decoder.map(value, field: \(path), key: { (k) throws(CodecError) in \(keyExpr(key, path)) }, "
              + "value: { (v) throws(CodecError) in \(valueExpr(value, "v", path)) })"
          }
          if let oneof = oneofByNumber[f.field.number] {
            w.line("case \(names): self.\(oneof.propertyName) = .\(f.swiftName)(\(expr))")
          } else {
            w.line("case \(names): self.\(f.swiftName) = \(expr)")
          }
        }
        w.line("default: return false")
      }
      w.line("return true")
    }
  }

  private func valueExpr(_ f: FieldShape, _ v: String, _ path: String) -> String {
    switch f.element {
    case .message(let m): return "try decoder.message(\(m.swiftName).self, \(v), field: \(path))"
    case .enumeration(let e): return "try decoder.enumeration(\(e.swiftName).self, \(v), field: \(path))"
    case .scalar(let t):
      switch t {
      case .string: return "try decoder.string(\(v), field: \(path))"
      case .bytes: return "try decoder.bytes(\(v), field: \(path))"
      case .bool: return "try decoder.bool(\(v), field: \(path))"
      case .double: return "try decoder.double(\(v), field: \(path))"
      case .float: return "try decoder.float(\(v), field: \(path))"
      default: return "try decoder.integer(\(FieldShape.swiftScalarType(t)).self, \(v), field: \(path))"
      }
    }
  }

  private func keyExpr(_ f: FieldShape, _ path: String) -> String {
    guard case .scalar(let t) = f.element else { fatalError("map keys are scalars") }
    switch t {
    case .string: return "k"
    case .bool: return "try decoder.mapKeyBool(k, field: \(path))"
    default: return "try decoder.mapKey(\(FieldShape.swiftScalarType(t)).self, k, field: \(path))"
    }
  }
}
