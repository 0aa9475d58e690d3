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

  /// A typed client: one method per RPC, shaped by its call type.
  static func emitClient(_ service: ServiceDef, package: String, index: SchemaIndex, into w: inout CodeWriter) {
    let namespace = Naming.swiftPrefix(package: package) + service.name
    w.line()
    w.line("/// Calls `\(service.fullName)` over any ``ClientTransport`` (a `GRPCChannel`).")
    w.block("public struct \(namespace)Client: Sendable") { w in
      w.line("public let transport: any ClientTransport")
      w.line()
      w.block("public init(_ transport: any ClientTransport)") { w in w.line("self.transport = transport") }
      for m in service.methods {
        let input = index.message(m.inputType).swiftName
        let output = index.message(m.outputType).swiftName
        let name = Naming.lowerCamel(m.name)
        let descriptor = "\(namespace).Method.\(m.name).descriptor"
        w.line()
        w.doc(m.comment)
        switch (m.clientStreaming, m.serverStreaming) {
        case (false, false):
          w.block("public func \(name)(_ request: \(input), options: CallOptions = CallOptions()) async throws -> \(output)") { w in
            w.line("try await ClientCalls.unary(transport, \(descriptor), request, options: options)")
          }
        case (false, true):
          w.line("/// Iterate the result for the responses; it ends at OK and throws `RPCError` otherwise.")
          w.block("public func \(name)(_ request: \(input), options: CallOptions = CallOptions()) -> ResponseStream<\(output)>") { w in
            w.line("ClientCalls.serverStreaming(transport, \(descriptor), request, options: options)")
          }
        case (true, false):
          w.line("/// `body` writes the requests; the response comes when it returns.")
          w.block(
            "public func \(name)(options: CallOptions = CallOptions(), _ body: (RequestWriter<\(input)>) async throws -> Void) async throws -> \(output)"
          ) { w in
            w.line("try await ClientCalls.clientStreaming(transport, \(descriptor), options: options, body)")
          }
        case (true, true):
          w.line("/// `body` writes requests and reads responses, at once if it likes.")
          w.block(
            "public func \(name)<Result: Sendable>(options: CallOptions = CallOptions(), _ body: (RequestWriter<\(input)>, ResponseStream<\(output)>) async throws -> Result) async throws -> Result"
          ) { w in
            w.line("try await ClientCalls.bidirectionalStreaming(transport, \(descriptor), options: options, body)")
          }
        }
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
