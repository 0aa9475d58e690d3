/// Emits a service's description: one namespace per service, one per method
/// with its request and response types and a ``ProtoMethodDescriptor``. The
/// transport routes on these paths and the client stubs are built from them.
enum ServiceEmitter {
  static func emit(_ service: ServiceDef, package: String, index: SchemaIndex, into w: inout CodeWriter) {
    let typeName = Naming.swiftPrefix(package: package) + service.name
    w.line()
    w.doc(service.comment)
    w.block("public enum \(typeName)") { w in
      w.line("public static let serviceName = \(swiftLiteral(service.fullName))")
      w.line()
      w.line("/// Every method, in declaration order.")
      w.line("public static let methods: [ProtoMethodDescriptor] = [")
      for m in service.methods { w.line("  Method.\(m.name).descriptor,") }
      w.line("]")
      w.line()
      w.block("public enum Method") { w in
        for (i, m) in service.methods.enumerated() {
          if i > 0 { w.line() }
          w.doc(m.comment)
          w.block("public enum \(m.name)") { w in
            w.line("public typealias Input = \(index.message(m.inputType).swiftName)")
            w.line("public typealias Output = \(index.message(m.outputType).swiftName)")
            w.line("public static let descriptor = ProtoMethodDescriptor(")
            w.line("  service: \(swiftLiteral(service.fullName)), method: \(swiftLiteral(m.name)), kind: .\(kind(m)),")
            w.line("  inputType: \(swiftLiteral(m.inputType)), outputType: \(swiftLiteral(m.outputType)))")
          }
        }
      }
    }
  }

  private static func kind(_ m: MethodDef) -> String {
    switch (m.clientStreaming, m.serverStreaming) {
    case (false, false): return "unary"
    case (true, false): return "clientStreaming"
    case (false, true): return "serverStreaming"
    case (true, true): return "bidirectionalStreaming"
    }
  }
}
