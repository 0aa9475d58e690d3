/// What a generated message tells about one of its fields.
public struct ProtoFieldInfo: Sendable, Hashable {
  /// The field's type as the schema declares it.
  public enum Kind: Sendable, Hashable {
    case double, float, int64, uint64, int32, fixed64, fixed32, bool, string, message, bytes
    case uint32, enumeration, sfixed32, sfixed64, sint32, sint64
  }

  /// Name in the schema, e.g. `display_name`.
  public var name: String
  /// Name in proto3 JSON, e.g. `displayName`.
  public var jsonName: String
  public var number: Int32
  public var kind: Kind

  public init(name: String, jsonName: String, number: Int32, kind: Kind) {
    self.name = name
    self.jsonName = jsonName
    self.number = number
    self.kind = kind
  }
}

/// A field's value as ``ProtoMessage/visitFields(_:)`` hands it out.
public enum ProtoValue: Sendable {
  case int32(Int32)
  case int64(Int64)
  case uint32(UInt32)
  case uint64(UInt64)
  case float(Float)
  case double(Double)
  case bool(Bool)
  case string(String)
  case bytes([UInt8])
  case enumeration(any ProtoEnum)
  case message(any ProtoMessage)
  case repeated([ProtoValue])
  case map([(key: ProtoValue, value: ProtoValue)])
}

/// Receives a message's present fields, one call per field, in field-number
/// order. Renderers (JSON, tables, debug dumps) are visitors.
public protocol ProtoVisitor {
  mutating func visit(_ value: ProtoValue, _ field: ProtoFieldInfo)
}
