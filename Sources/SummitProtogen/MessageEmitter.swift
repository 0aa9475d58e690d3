/// Emits the Swift value type for one message: stored properties, oneof
/// enums, nested types, and (through the `+Bridge` and `+Visit` parts) its
/// protobuf-c bridging and field traversal.
struct MessageEmitter {
  let entry: SchemaIndex.MessageEntry
  let index: SchemaIndex
  /// Symbol prefix of the C module's descriptor accessors, e.g. `CSummitProtos_`.
  let cAccessorPrefix: String

  var def: MessageDef { entry.def }
  var typeName: String { entry.swiftName.split(separator: ".").last.map(String.init) ?? entry.swiftName }

  /// Shapes of the fields that are not oneof members, in declaration order.
  var plainFields: [FieldShape] {
    def.fields.filter { $0.oneofIndex == nil }.map { FieldShape($0, in: index) }
  }

  struct Oneof {
    var def: OneofDef
    var propertyName: String
    var typeName: String
    var members: [FieldShape]
  }

  var oneofs: [Oneof] {
    let nestedNames = Set(def.messages.map { Naming.upperCamel($0.name) } + def.enums.map { Naming.upperCamel($0.name) })
    return def.oneofs.map { o in
      var type = Naming.swiftTypeName(o.name)
      if nestedNames.contains(type) || type == typeName { type = "OneOf_" + type }
      return Oneof(
        def: o, propertyName: Naming.swiftProperty(o.name), typeName: type,
        members: o.fieldIndexes.map { FieldShape(def.fields[$0], in: index) })
    }
  }

  /// The declaration, with nested messages and enums inside it.
  func emitDeclaration(into w: inout CodeWriter) {
    w.doc(def.comment)
    w.block("public struct \(typeName): ProtoMessage") { w in
      w.line("public static let protoMessageName = \(swiftLiteral(def.fullName))")
      w.line()
      for field in plainFields {
        w.doc(field.field.comment)
        w.line("public var \(field.swiftName): \(field.propertyType) = \(field.defaultValue)")
      }
      for oneof in oneofs {
        w.line("public var \(oneof.propertyName): \(oneof.typeName)? = nil")
      }
      for oneof in oneofs {
        for member in oneof.members {
          w.line("/// `\(oneof.propertyName)` as `.\(member.swiftName)`; the default when another case is set. Setting it selects it.")
          let fallback = member.cardinality.isMessage(member) ? "\(member.elementType)()" : member.defaultValue
          w.block("public var \(member.swiftName): \(member.elementType)") { w in
            w.line("get { if case .\(member.swiftName)(let v)? = \(oneof.propertyName) { v } else { \(fallback) } }")
            w.line("set { \(oneof.propertyName) = .\(member.swiftName)(newValue) }")
          }
        }
      }
      w.line("/// Fields this version of the schema does not know, kept for re-encoding.")
      w.line("public var unknownFields = UnknownFields()")
      w.line()
      w.line("public init() {}")
      for oneof in oneofs {
        w.line()
        w.block("public enum \(oneof.typeName): Sendable, Hashable") { w in
          for member in oneof.members {
            w.doc(member.field.comment)
            w.line("case \(member.swiftName)(\(member.elementType))")
          }
        }
      }
      for nested in def.enums {
        w.line()
        EnumEmitter.emit(index.enumeration(nested.fullName), into: &w)
      }
      for nested in def.messages where !nested.isMapEntry {
        w.line()
        MessageEmitter(entry: index.message(nested.fullName), index: index, cAccessorPrefix: cAccessorPrefix)
          .emitDeclaration(into: &w)
      }
    }
  }

  /// Extensions with codec and traversal, for this message and its nested ones.
  func emitExtensions(into w: inout CodeWriter) {
    w.line()
    w.block("extension \(entry.swiftName)") { w in
      emitPublicCodec(into: &w)
      w.line()
      emitFieldInfos(into: &w)
      w.line()
      emitVisit(into: &w)
      w.line()
      emitJSONDecode(into: &w)
      w.line()
      emitFill(into: &w)
      w.line()
      emitDecode(into: &w)
    }
    for nested in def.messages where !nested.isMapEntry {
      MessageEmitter(entry: index.message(nested.fullName), index: index, cAccessorPrefix: cAccessorPrefix)
        .emitExtensions(into: &w)
    }
  }

  private func emitPublicCodec(into w: inout CodeWriter) {
    let cType = entry.cType
    w.block("public init(serializedBytes bytes: [UInt8]) throws(CodecError)") { w in
      w.line("self.init()")
      w.line("try protoDecode(bytes, descriptor: \(cAccessorPrefix)\(entry.cStem)__descriptor(), into: &self) {")
      w.line("  (message, c) throws(CodecError) in try message._cRead(c.assumingMemoryBound(to: \(cType).self))")
      w.line("}")
    }
    w.line()
    w.block("public func serializedBytes() -> [UInt8]") { w in
      w.line("protoEncode { arena in UnsafeRawPointer(self._cNew(arena)) }")
    }
    w.line()
    w.block("public func appendSerializedBytes(to buffer: inout [UInt8])") { w in
      w.line("protoEncode(appendingTo: &buffer) { arena in UnsafeRawPointer(self._cNew(arena)) }")
    }
  }

  private func emitFieldInfos(into w: inout CodeWriter) {
    w.line("public static let protoFields: [ProtoFieldInfo] = [")
    for field in def.fields {
      let f = FieldShape(field, in: index)
      w.line(
        "  ProtoFieldInfo(name: \(swiftLiteral(field.name)), jsonName: \(swiftLiteral(field.jsonName)), "
          + "number: \(field.number), kind: .\(f.kindName)),")
    }
    w.line("]")
  }
}
