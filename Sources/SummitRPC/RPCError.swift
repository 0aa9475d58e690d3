public import SummitCodec

/// The error a call ends with: a non-OK status code, a message for people,
/// trailing metadata, and the structured details of AIP-193 (`ErrorInfo`,
/// `BadRequest`, …) that travel in `grpc-status-details-bin`.
///
/// ```swift
/// throw RPCError(.notFound, "leaders/xi-jinpin not found")
/// ```
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
  public var code: StatusCode
  public var message: String
  public var metadata: Metadata
  /// Detail messages, each packed in an `Any`.
  public var details: [Google_Protobuf_Any]

  public init(_ code: StatusCode, _ message: String, metadata: Metadata = Metadata(), details: [Google_Protobuf_Any] = []) {
    self.code = code
    self.message = message
    self.metadata = metadata
    self.details = details
  }

  /// Adds a detail message (an `ErrorInfo`, a `BadRequest`, …).
  public mutating func addDetail(_ detail: some ProtoMessage) {
    details.append(.packing(detail))
  }

  /// The `google.rpc.Status` that `grpc-status-details-bin` carries.
  public var statusProto: Google_Rpc_Status {
    .with {
      $0.code = Int32(code.rawValue)
      $0.message = message
      $0.details = details
    }
  }

  /// The first detail of type `M`, if one is attached.
  public func detail<M: ProtoMessage>(_: M.Type) -> M? {
    for any in details where any.typeURL.hasSuffix("/" + M.protoMessageName) {
      if let message = try? M(serializedBytes: any.value) { return message }
    }
    return nil
  }

  public var description: String { "\(code.name): \(message)" }
}

extension Google_Protobuf_Any {
  /// `message` packed with the conventional `type.googleapis.com/` prefix.
  public static func packing(_ message: some ProtoMessage) -> Self {
    .with {
      $0.typeURL = "type.googleapis.com/" + type(of: message).protoMessageName
      $0.value = message.serializedBytes()
    }
  }
}
