/// What the emitters need to know about one field: its Swift type and how its
/// values cross to and from protobuf-c.
struct FieldShape {
  enum Element {
    case scalar(FieldType)
    case enumeration(SchemaIndex.EnumEntry)
    case message(SchemaIndex.MessageEntry)
  }

  indirect enum Cardinality {
    case singular
    case repeated
    case map(key: FieldShape, value: FieldShape, entry: SchemaIndex.MessageEntry)
    case oneofMember

    func isMessage(_ shape: FieldShape) -> Bool {
      if case .message = shape.element { return true }
      return false
    }
  }

  var field: FieldDef
  var element: Element
  var cardinality: Cardinality
  /// The Swift property (or oneof case) name.
  var swiftName: String
  /// The C struct member name.
  var cName: String

  init(_ field: FieldDef, in index: SchemaIndex) {
    self.field = field
    swiftName = Naming.swiftProperty(field.name)
    cName = Naming.cField(field.name)
    switch field.type {
    case .enumeration: element = .enumeration(index.enumeration(field.typeName))
    case .message, .group: element = .message(index.message(field.typeName))
    default: element = .scalar(field.type)
    }
    if let map = index.mapEntry(of: field) {
      cardinality = .map(key: FieldShape(map.key, in: index), value: FieldShape(map.value, in: index), entry: map.entry)
    } else if field.isRepeated {
      cardinality = .repeated
    } else if field.oneofIndex != nil {
      cardinality = .oneofMember
    } else {
      cardinality = .singular
    }
  }

  /// Swift type of one element.
  var elementType: String {
    switch element {
    case .scalar(let t): return Self.swiftScalarType(t)
    case .enumeration(let e): return e.swiftName
    case .message(let m): return m.swiftName
    }
  }

  /// Swift type of the stored property.
  var propertyType: String {
    switch cardinality {
    case .singular:
      if case .message = element { return elementType + "?" }
      return elementType
    case .repeated: return "[\(elementType)]"
    case .map(let key, let value, _): return "[\(key.elementType): \(value.elementType)]"
    case .oneofMember: return elementType
    }
  }

  var defaultValue: String {
    switch cardinality {
    case .repeated: return "[]"
    case .map: return "[:]"
    case .singular, .oneofMember: break
    }
    switch element {
    case .message: return "nil"
    case .enumeration(let e):
      guard let zero = e.def.values.first(where: { $0.number == 0 }) else { return ".init(rawValue: 0)" }
      return "." + Naming.swiftEnumCase(zero.name, enumName: e.def.name)
    case .scalar(let t):
      switch t {
      case .string: return "\"\""
      case .bytes: return "[]"
      case .bool: return "false"
      default: return "0"
      }
    }
  }

  static func swiftScalarType(_ t: FieldType) -> String {
    switch t {
    case .double: return "Double"
    case .float: return "Float"
    case .int64, .sint64, .sfixed64: return "Int64"
    case .uint64, .fixed64: return "UInt64"
    case .int32, .sint32, .sfixed32: return "Int32"
    case .uint32, .fixed32: return "UInt32"
    case .bool: return "Bool"
    case .string: return "String"
    case .bytes: return "[UInt8]"
    case .group, .message, .enumeration: fatalError("not a scalar: \(t)")
    }
  }

  /// The ``ProtoValue`` case for one element held in `expr`.
  func protoValue(_ expr: String) -> String {
    switch element {
    case .enumeration: return ".enumeration(\(expr))"
    case .message: return ".message(\(expr))"
    case .scalar(let t):
      switch t {
      case .double: return ".double(\(expr))"
      case .float: return ".float(\(expr))"
      case .int64, .sint64, .sfixed64: return ".int64(\(expr))"
      case .uint64, .fixed64: return ".uint64(\(expr))"
      case .int32, .sint32, .sfixed32: return ".int32(\(expr))"
      case .uint32, .fixed32: return ".uint32(\(expr))"
      case .bool: return ".bool(\(expr))"
      case .string: return ".string(\(expr))"
      case .bytes: return ".bytes(\(expr))"
      case .group, .message, .enumeration: fatalError("not a scalar")
      }
    }
  }

  /// The `ProtoFieldInfo.Kind` spelled as in the runtime.
  var kindName: String {
    switch field.type {
    case .double: return "double"
    case .float: return "float"
    case .int64: return "int64"
    case .uint64: return "uint64"
    case .int32: return "int32"
    case .fixed64: return "fixed64"
    case .fixed32: return "fixed32"
    case .bool: return "bool"
    case .string: return "string"
    case .group, .message: return "message"
    case .bytes: return "bytes"
    case .uint32: return "uint32"
    case .enumeration: return "enumeration"
    case .sfixed32: return "sfixed32"
    case .sfixed64: return "sfixed64"
    case .sint32: return "sint32"
    case .sint64: return "sint64"
    }
  }
}
