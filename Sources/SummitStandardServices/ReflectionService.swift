import SummitAPI
public import SummitCodec
public import SummitRPC

/// `grpc.reflection.v1.ServerReflection` and its `v1alpha` twin (what
/// grpcurl and most tools still use): lets a client that knows only the
/// address list the services and fetch the schemas to call them.
///
/// The two versions are the same messages under two package names, so one
/// implementation on the v1 types serves both paths.
public struct ReflectionService: Sendable {
  public typealias Request = Grpc_Reflection_V1_ServerReflectionRequest
  public typealias Response = Grpc_Reflection_V1_ServerReflectionResponse

  private let files: [String: ProtoFileDescriptor]
  private let fileBySymbol: [String: String]
  private let serviceNames: @Sendable () -> [String]

  /// - Parameters:
  ///   - files: the schema files to serve (with their dependencies).
  ///   - serviceNames: the services to list, read when a client asks.
  public init(files: [ProtoFileDescriptor], serviceNames: @escaping @Sendable () -> [String]) {
    var byName: [String: ProtoFileDescriptor] = [:]
    var bySymbol: [String: String] = [:]
    for file in files {
      byName[file.name] = file
      for symbol in file.symbols { bySymbol[symbol] = file.name }
    }
    self.files = byName
    fileBySymbol = bySymbol
    self.serviceNames = serviceNames
  }

  /// Handlers for both the v1 and the v1alpha service.
  public var rpcHandlers: [RPCHandler] {
    let body: @Sendable (RequestStream<Request>, ResponseWriter<Response>, ServerContext) async throws -> Void = {
      requests, responses, _ in
      var sent = Set<String>()
      for try await request in requests {
        try await responses.write(self.answer(request, alreadySent: &sent))
      }
    }
    return [
      .bidirectionalStreaming(Grpc_Reflection_V1_ServerReflection.Method.ServerReflectionInfo.descriptor, body),
      .bidirectionalStreaming(Grpc_Reflection_V1alpha_ServerReflection.Method.ServerReflectionInfo.descriptor, body),
    ]
  }

  func answer(_ request: Request, alreadySent sent: inout Set<String>) -> Response {
    var response = Response.with {
      $0.validHost = request.host
      $0.originalRequest = request
    }
    switch request.messageRequest {
    case .fileByFilename(let name)?:
      response.messageResponse = fileResponse(for: name, alreadySent: &sent, notFound: "file \(name) not found")
    case .fileContainingSymbol(let symbol)?:
      let name = fileBySymbol[symbol] ?? ""
      response.messageResponse = fileResponse(for: name, alreadySent: &sent, notFound: "symbol \(symbol) not found")
    case .fileContainingExtension(let e)?:
      response.messageResponse = error(.notFound, "no extension \(e.extensionNumber) of \(e.containingType)")
    case .allExtensionNumbersOfType(let type)?:
      if fileBySymbol[type] != nil {
        response.messageResponse = .allExtensionNumbersResponse(.with { $0.baseTypeName = type })
      } else {
        response.messageResponse = error(.notFound, "type \(type) not found")
      }
    case .listServices?:
      response.messageResponse = .listServicesResponse(
        .with { list in list.service = serviceNames().map { name in .with { $0.name = name } } })
    case nil:
      response.messageResponse = error(.invalidArgument, "empty reflection request")
    }
    return response
  }

  /// The file and its imports, except those this stream has already sent.
  private func fileResponse(
    for name: String, alreadySent sent: inout Set<String>, notFound: String
  ) -> Response.MessageResponse {
    guard files[name] != nil else { return error(.notFound, notFound) }
    var out: [[UInt8]] = []
    var queue = [name]
    var seen = Set<String>()
    while let next = queue.popLast() {
      guard seen.insert(next).inserted, let file = files[next] else { continue }
      if next == name || !sent.contains(next) { out.append(file.serialized) }
      queue += file.dependencies
    }
    sent.formUnion(seen)
    return .fileDescriptorResponse(.with { $0.fileDescriptorProto = out })
  }

  private func error(_ code: StatusCode, _ message: String) -> Response.MessageResponse {
    .errorResponse(.with {
      $0.errorCode = Int32(code.rawValue)
      $0.errorMessage = message
    })
  }
}
