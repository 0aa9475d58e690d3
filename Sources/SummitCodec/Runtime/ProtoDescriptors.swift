/// How a method's messages flow.
public enum ProtoCallKind: Sendable, Hashable {
  case unary, clientStreaming, serverStreaming, bidirectionalStreaming

  public var isClientStreaming: Bool { self == .clientStreaming || self == .bidirectionalStreaming }
  public var isServerStreaming: Bool { self == .serverStreaming || self == .bidirectionalStreaming }
}

/// One RPC method of a service, as generated from the schema.
public struct ProtoMethodDescriptor: Sendable, Hashable, CustomStringConvertible {
  /// Fully qualified service name, e.g. `summit.v1.LeaderService`.
  public var service: String
  /// Method name, e.g. `GetLeader`.
  public var method: String
  public var kind: ProtoCallKind
  /// Fully qualified request and response message names.
  public var inputType: String
  public var outputType: String

  public init(service: String, method: String, kind: ProtoCallKind, inputType: String, outputType: String) {
    self.service = service
    self.method = method
    self.kind = kind
    self.inputType = inputType
    self.outputType = outputType
  }

  /// The HTTP/2 `:path` of the method: `/summit.v1.LeaderService/GetLeader`.
  public var path: String { "/\(service)/\(method)" }

  public var description: String { path }
}

/// One `.proto` file's descriptor, as the reflection service serves it.
public struct ProtoFileDescriptor: Sendable {
  /// Path as compiled, e.g. `summit/v1/leader.proto`.
  public var name: String
  public var package: String
  /// Files it imports, by name.
  public var dependencies: [String]
  /// Fully qualified names of the messages, enums, services and methods it defines.
  public var symbols: [String]
  /// The serialized `google.protobuf.FileDescriptorProto`.
  public var serialized: [UInt8] { Base64.decode(base64) ?? [] }

  private let base64: String

  public init(name: String, package: String, dependencies: [String], symbols: [String], base64: String) {
    self.name = name
    self.package = package
    self.dependencies = dependencies
    self.symbols = symbols
    self.base64 = base64
  }
}
