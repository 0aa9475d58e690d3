/// The generator's model of a set of `.proto` files, read from a descriptor
/// set. It holds what code generation needs and nothing of protobuf-c's C
/// types, so that emitters and their tests work on plain Swift values.
public struct Schema: Sendable {
  public var files: [SchemaFile]

  public init(files: [SchemaFile]) {
    self.files = files
  }
}

public struct SchemaFile: Sendable {
  /// Path as protoc saw it, e.g. `summit/v1/leader.proto`.
  public var name: String
  /// Proto package, e.g. `summit.v1`.
  public var package: String
  public var dependencies: [String]
  public var messages: [MessageDef]
  public var enums: [EnumDef]
  public var services: [ServiceDef]
  /// The file's `FileDescriptorProto`, serialized without source info: what
  /// the reflection service hands to clients.
  public var serializedDescriptor: [UInt8]
}

public struct MessageDef: Sendable {
  /// Short name as declared, e.g. `FieldViolation`.
  public var name: String
  /// Fully qualified, no leading dot, e.g. `google.rpc.BadRequest.FieldViolation`.
  public var fullName: String
  public var fields: [FieldDef]
  public var oneofs: [OneofDef]
  public var messages: [MessageDef]
  public var enums: [EnumDef]
  /// A synthesized `map<K, V>` entry type: no Swift type is generated for it.
  public var isMapEntry: Bool
  public var comment: String
}

public struct OneofDef: Sendable {
  public var name: String
  /// Indexes into the message's `fields`.
  public var fieldIndexes: [Int]
}

public struct FieldDef: Sendable {
  public var name: String
  public var number: Int32
  public var jsonName: String
  public var type: FieldType
  /// Fully qualified message or enum name for `.message`/`.enumeration`.
  public var typeName: String
  public var isRepeated: Bool
  public var oneofIndex: Int?
  public var comment: String
}

/// Field types as `descriptor.proto` numbers them.
public enum FieldType: Int32, Sendable {
  case double = 1, float = 2, int64 = 3, uint64 = 4, int32 = 5, fixed64 = 6, fixed32 = 7
  case bool = 8, string = 9, group = 10, message = 11, bytes = 12, uint32 = 13
  case enumeration = 14, sfixed32 = 15, sfixed64 = 16, sint32 = 17, sint64 = 18
}

public struct EnumDef: Sendable {
  public var name: String
  public var fullName: String
  public var values: [EnumValueDef]
  public var comment: String
}

public struct EnumValueDef: Sendable {
  public var name: String
  public var number: Int32
  public var comment: String
}

public struct ServiceDef: Sendable {
  public var name: String
  public var fullName: String
  public var methods: [MethodDef]
  public var comment: String
}

public struct MethodDef: Sendable {
  public var name: String
  public var inputType: String
  public var outputType: String
  public var clientStreaming: Bool
  public var serverStreaming: Bool
  public var comment: String
}
