/// Emits the RPC side of a service for the SummitRPC layer: a protocol a
/// server implements (one requirement per method, shaped by its call type)
/// and the handlers that route to it.
enum RPCEmitter {
  static func emit(_ service: ServiceDef, package: String, index: SchemaIndex, into w: inout CodeWriter) {
    let namespace = Naming.swiftPrefix(package: package) + service.name
    let protocolName = namespace + "Protocol"
    w.line()
    w.doc(service.comment.isEmpty ? "Implement to serve `\(service.fullName)`." : service.comment)
    w.block("public protocol \(protocolName): Sendable") { w in
      for (i, m) in service.methods.enumerated() {
        if i > 0 { w.line() }
        w.doc(m.comment)
        w.line(requirement(m, index: index))
      }
    }
    w.line()
    w.block("extension \(protocolName)") { w in
      w.line("/// One handler per method, for an ``RPCRouter``.")
      w.block("public var rpcHandlers: [RPCHandler]") { w in
        w.line("[")
        for m in service.methods {
          let descriptor = "\(namespace).Method.\(m.name).descriptor"
          let call = Naming.lowerCamel(m.name)
          switch (m.clientStreaming, m.serverStreaming) {
          case (false, false):
            w.line("  .unary(\(descriptor)) { try await self.\(call)(request: $0, context: $1) },")
          case (false, true):
            w.line("  .serverStreaming(\(descriptor)) { try await self.\(call)(request: $0, responses: $1, context: $2) },")
          case (true, false):
            w.line("  .clientStreaming(\(descriptor)) { try await self.\(call)(requests: $0, context: $1) },")
          case (true, true):
            w.line(
              "  .bidirectionalStreaming(\(descriptor)) { try await self.\(call)(requests: $0, responses: $1, context: $2) },")
          }
        }
        w.line("]")
      }
    }
  }

  private static func requirement(_ m: MethodDef, index: SchemaIndex) -> String {
    let input = index.message(m.inputType).swiftName
    let output = index.message(m.outputType).swiftName
    let name = Naming.lowerCamel(m.name)
    switch (m.clientStreaming, m.serverStreaming) {
    case (false, false):
      return "func \(name)(request: \(input), context: ServerContext) async throws -> \(output)"
    case (false, true):
      return "func \(name)(request: \(input), responses: ResponseWriter<\(output)>, context: ServerContext) async throws"
    case (true, false):
      return "func \(name)(requests: RequestStream<\(input)>, context: ServerContext) async throws -> \(output)"
    case (true, true):
      return
        "func \(name)(requests: RequestStream<\(input)>, responses: ResponseWriter<\(output)>, context: ServerContext) async throws"
    }
  }
}
