/// Emits a module's schema registry: every message type by full name (for
/// `Any` and JSON) and every file's serialized descriptor (for reflection).
enum RegistryEmitter {
  static func emit(moduleName: String, files: [SchemaFile], index: SchemaIndex, into w: inout CodeWriter) {
    var messageTypes: [String] = []
    func collect(_ m: MessageDef) {
      guard !m.isMapEntry else { return }
      messageTypes.append(index.message(m.fullName).swiftName)
      m.messages.forEach(collect)
    }
    for file in files { file.messages.forEach(collect) }

    w.line("/// The schemas compiled into \(moduleName).")
    w.block("public enum \(moduleName)Schema") { w in
      w.line("/// Every message type, nested ones included.")
      w.line("public static let messageTypes: [any ProtoMessage.Type] = [")
      for t in messageTypes { w.line("  \(t).self,") }
      w.line("]")
      w.line()
      w.line("/// Every service's methods, by fully qualified service name.")
      let services = files.flatMap { file in file.services.map { (file.package, $0) } }
      if services.isEmpty {
        w.line("public static let services: [String: [ProtoMethodDescriptor]] = [:]")
      } else {
        w.line("public static let services: [String: [ProtoMethodDescriptor]] = [")
        for (package, service) in services {
          let type = Naming.swiftPrefix(package: package) + service.name
          w.line("  \(swiftLiteral(service.fullName)): \(type).methods,")
        }
        w.line("]")
      }
      w.line()
      w.line("/// Every `.proto` file, as reflection serves it (no source info).")
      w.line("public static let files: [ProtoFileDescriptor] = [")
      for file in files {
        w.line("  ProtoFileDescriptor(")
        w.line("    name: \(swiftLiteral(file.name)), package: \(swiftLiteral(file.package)),")
        w.line("    dependencies: [\(file.dependencies.map(swiftLiteral).joined(separator: ", "))],")
        w.line("    symbols: [\(symbols(of: file).map(swiftLiteral).joined(separator: ", "))],")
        w.line("    base64: \(swiftLiteral(Base64.encode(file.serializedDescriptor)))),")
      }
      w.line("]")
    }
  }

  /// Full names of the file's messages, enums, services and methods: what
  /// reflection's `file_containing_symbol` looks up.
  static func symbols(of file: SchemaFile) -> [String] {
    var names: [String] = []
    func addMessage(_ m: MessageDef) {
      names.append(m.fullName)
      names += m.enums.map(\.fullName)
      m.messages.forEach(addMessage)
    }
    file.messages.forEach(addMessage)
    names += file.enums.map(\.fullName)
    for s in file.services {
      names.append(s.fullName)
      names += s.methods.map { s.fullName + "." + $0.name }
    }
    return names
  }
}

/// Standard base64 with padding (RFC 4648), for embedding descriptor bytes in
/// a string literal that compiles quickly.
enum Base64 {
  private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

  static func encode(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var i = 0
    while i < bytes.count {
      let b0 = UInt32(bytes[i])
      let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
      let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
      let n = b0 << 16 | b1 << 8 | b2
      out.append(alphabet[Int(n >> 18 & 63)])
      out.append(alphabet[Int(n >> 12 & 63)])
      out.append(i + 1 < bytes.count ? alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "="))
      out.append(i + 2 < bytes.count ? alphabet[Int(n & 63)] : UInt8(ascii: "="))
      i += 3
    }
    return String(decoding: out, as: UTF8.self)
  }
}
