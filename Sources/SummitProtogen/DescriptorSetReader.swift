private import CProtoDescriptor

/// Reads a `FileDescriptorSet` (as `protoc --descriptor_set_out
/// --include_imports --include_source_info` writes it) into a ``Schema``,
/// decoding it with protobuf-c's own C code for `descriptor.proto`.
public enum DescriptorSetReader {
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  public static func read(_ bytes: [UInt8]) throws(Failure) -> Schema {
    let unpacked = bytes.withUnsafeBufferPointer {
      google__protobuf__file_descriptor_set__unpack(nil, $0.count, $0.baseAddress)
    }
    guard let set = unpacked else {
      throw Failure(description: "not a valid FileDescriptorSet")
    }
    defer { google__protobuf__file_descriptor_set__free_unpacked(set, nil) }
    var files: [SchemaFile] = []
    for fileIndex in 0..<set.pointee.n_file {
      guard let file = set.pointee.file[fileIndex] else { continue }
      files.append(readFile(file))
    }
    return Schema(files: files)
  }

  private static func readFile(_ file: UnsafeMutablePointer<Google__Protobuf__FileDescriptorProto>) -> SchemaFile {
    let f = file.pointee
    let package = string(f.package)
    let comments = Comments(f.source_code_info)
    var messages: [MessageDef] = []
    for i in 0..<f.n_message_type {
      messages.append(readMessage(f.message_type[i]!.pointee, scope: package, path: [4, Int32(i)], comments))
    }
    var enums: [EnumDef] = []
    for i in 0..<f.n_enum_type {
      enums.append(readEnum(f.enum_type[i]!.pointee, scope: package, path: [5, Int32(i)], comments))
    }
    var services: [ServiceDef] = []
    for i in 0..<f.n_service {
      services.append(readService(f.service[i]!.pointee, scope: package, path: [6, Int32(i)], comments))
    }
    return SchemaFile(
      name: string(f.name),
      package: package,
      dependencies: (0..<f.n_dependency).map { string(f.dependency[$0]) },
      messages: messages,
      enums: enums,
      services: services,
      serializedDescriptor: packWithoutSourceInfo(file)
    )
  }

  private static func readMessage(
    _ m: Google__Protobuf__DescriptorProto, scope: String, path: [Int32], _ comments: Comments
  ) -> MessageDef {
    let name = string(m.name)
    let fullName = qualified(scope, name)
    var fields: [FieldDef] = []
    for i in 0..<m.n_field {
      let f = m.field[i]!.pointee
      fields.append(
        FieldDef(
          name: string(f.name),
          number: f.number,
          jsonName: f.json_name.map { String(cString: $0) } ?? string(f.name),
          type: FieldType(rawValue: Int32(truncatingIfNeeded: f.type.rawValue)) ?? .message,
          typeName: trimmedTypeName(f.type_name),
          isRepeated: f.label.rawValue == 3,  // LABEL_REPEATED
          oneofIndex: f.has_oneof_index != 0 ? Int(f.oneof_index) : nil,
          comment: comments[path + [2, Int32(i)]]
        ))
    }
    var oneofs: [OneofDef] = []
    for i in 0..<m.n_oneof_decl {
      let members = fields.indices.filter { fields[$0].oneofIndex == i }
      oneofs.append(OneofDef(name: string(m.oneof_decl[i]!.pointee.name), fieldIndexes: members))
    }
    var nested: [MessageDef] = []
    for i in 0..<m.n_nested_type {
      nested.append(readMessage(m.nested_type[i]!.pointee, scope: fullName, path: path + [3, Int32(i)], comments))
    }
    var enums: [EnumDef] = []
    for i in 0..<m.n_enum_type {
      enums.append(readEnum(m.enum_type[i]!.pointee, scope: fullName, path: path + [4, Int32(i)], comments))
    }
    let isMapEntry = m.options.map { $0.pointee.has_map_entry != 0 && $0.pointee.map_entry != 0 } ?? false
    return MessageDef(
      name: name, fullName: fullName, fields: fields, oneofs: oneofs, messages: nested,
      enums: enums, isMapEntry: isMapEntry, comment: comments[path])
  }

  private static func readEnum(
    _ e: Google__Protobuf__EnumDescriptorProto, scope: String, path: [Int32], _ comments: Comments
  ) -> EnumDef {
    let name = string(e.name)
    let values = (0..<e.n_value).map { i in
      let v = e.value[i]!.pointee
      return EnumValueDef(name: string(v.name), number: v.number, comment: comments[path + [2, Int32(i)]])
    }
    return EnumDef(name: name, fullName: qualified(scope, name), values: values, comment: comments[path])
  }

  private static func readService(
    _ s: Google__Protobuf__ServiceDescriptorProto, scope: String, path: [Int32], _ comments: Comments
  ) -> ServiceDef {
    let name = string(s.name)
    let methods = (0..<s.n_method).map { i in
      let m = s.method[i]!.pointee
      return MethodDef(
        name: string(m.name),
        inputType: trimmedTypeName(m.input_type),
        outputType: trimmedTypeName(m.output_type),
        clientStreaming: m.has_client_streaming != 0 && m.client_streaming != 0,
        serverStreaming: m.has_server_streaming != 0 && m.server_streaming != 0,
        comment: comments[path + [2, Int32(i)]])
    }
    return ServiceDef(name: name, fullName: qualified(scope, name), methods: methods, comment: comments[path])
  }

  /// Re-packs one file's descriptor with its source info left out: clients
  /// of the reflection service need the schema, not our comments' positions.
  private static func packWithoutSourceInfo(
    _ file: UnsafeMutablePointer<Google__Protobuf__FileDescriptorProto>
  ) -> [UInt8] {
    let saved = file.pointee.source_code_info
    file.pointee.source_code_info = nil
    defer { file.pointee.source_code_info = saved }
    let size = google__protobuf__file_descriptor_proto__get_packed_size(file)
    return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
      count = google__protobuf__file_descriptor_proto__pack(file, buffer.baseAddress)
    }
  }

  private static func string(_ p: UnsafeMutablePointer<CChar>?) -> String {
    p.map { String(cString: $0) } ?? ""
  }

  private static func trimmedTypeName(_ p: UnsafeMutablePointer<CChar>?) -> String {
    let name = string(p)
    return name.hasPrefix(".") ? String(name.dropFirst()) : name
  }

  private static func qualified(_ scope: String, _ name: String) -> String {
    scope.isEmpty ? name : "\(scope).\(name)"
  }
}

/// Leading comments by their source-info path, e.g. `[4, 0, 2, 1]` for the
/// second field of the first message.
private struct Comments {
  private var byPath: [[Int32]: String] = [:]

  init(_ info: UnsafeMutablePointer<Google__Protobuf__SourceCodeInfo>?) {
    guard let info else { return }
    for i in 0..<info.pointee.n_location {
      let location = info.pointee.location[i]!.pointee
      guard let leading = location.leading_comments else { continue }
      let path = (0..<location.n_path).map { location.path[$0] }
      byPath[path] = String(cString: leading)
    }
  }

  subscript(path: [Int32]) -> String {
    byPath[path] ?? ""
  }
}
