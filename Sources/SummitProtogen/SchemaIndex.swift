/// Every message and enum of a ``Schema`` by full name, with the Swift and C
/// names the emitters need, so that a field's type resolves across files.
struct SchemaIndex {
  struct MessageEntry {
    var def: MessageDef
    /// e.g. `Google_Rpc_BadRequest.FieldViolation`.
    var swiftName: String
    /// e.g. `Google__Rpc__BadRequest__FieldViolation`.
    var cType: String
    /// e.g. `google__rpc__bad_request__field_violation`.
    var cStem: String
    var file: String
  }

  struct EnumEntry {
    var def: EnumDef
    var swiftName: String
    var cType: String
    var file: String
  }

  private(set) var messages: [String: MessageEntry] = [:]
  private(set) var enums: [String: EnumEntry] = [:]

  init(_ schema: Schema) {
    for file in schema.files {
      let prefix = Naming.swiftPrefix(package: file.package)
      for m in file.messages { add(m, swiftName: prefix + Naming.upperCamel(m.name), file: file.name) }
      for e in file.enums { add(e, swiftName: prefix + Naming.upperCamel(e.name), file: file.name) }
    }
  }

  private mutating func add(_ m: MessageDef, swiftName: String, file: String) {
    messages[m.fullName] = MessageEntry(
      def: m, swiftName: swiftName, cType: Naming.cTypeName(fullName: m.fullName),
      cStem: Naming.cSymbolStem(fullName: m.fullName), file: file)
    for nested in m.messages { add(nested, swiftName: swiftName + "." + Naming.upperCamel(nested.name), file: file) }
    for e in m.enums { add(e, swiftName: swiftName + "." + Naming.upperCamel(e.name), file: file) }
  }

  private mutating func add(_ e: EnumDef, swiftName: String, file: String) {
    enums[e.fullName] = EnumEntry(
      def: e, swiftName: swiftName, cType: Naming.cTypeName(fullName: e.fullName), file: file)
  }

  func message(_ fullName: String) -> MessageEntry {
    guard let entry = messages[fullName] else { fatalError("unresolved message type \(fullName)") }
    return entry
  }

  func enumeration(_ fullName: String) -> EnumEntry {
    guard let entry = enums[fullName] else { fatalError("unresolved enum type \(fullName)") }
    return entry
  }

  /// The key and value fields of a map field's entry type, or nil when the
  /// field is not a map.
  func mapEntry(of field: FieldDef) -> (key: FieldDef, value: FieldDef, entry: MessageEntry)? {
    guard field.type == .message, field.isRepeated, let entry = messages[field.typeName],
      entry.def.isMapEntry, entry.def.fields.count == 2
    else { return nil }
    return (entry.def.fields[0], entry.def.fields[1], entry)
  }
}
