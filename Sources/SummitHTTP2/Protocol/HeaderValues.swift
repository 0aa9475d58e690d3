import SummitRPC
import SummitCodec

/// The header values of a gRPC status and metadata, both ways.
enum HeaderValues {
  /// Request headers that are not the caller's custom metadata.
  static let reservedRequestHeaders: Set<String> = [
    "content-type", "te", "grpc-timeout", "grpc-encoding", "grpc-accept-encoding", "connection", "host",
  ]

  /// A metadata entry as a header value: base64 without padding for `-bin`.
  static func headerValue(_ value: Metadata.Value) -> String {
    switch value {
    case .string(let s): return s
    case .binary(let b):
      var text = Base64.encode(b)
      while text.hasSuffix("=") { text.removeLast() }
      return text
    }
  }

  /// A received header as metadata, decoding `-bin` values (padded or not);
  /// nil when a `-bin` value is not base64.
  static func metadataValue(key: String, value: String) -> Metadata.Value? {
    guard key.hasSuffix("-bin") else { return .string(value) }
    return Base64.decode(value).map { .binary($0) }
  }

  /// The trailers (or trailers-only headers) ending a call.
  static func statusHeaders(
    code: StatusCode, message: String, details: [Google_Protobuf_Any], metadata: Metadata
  ) -> [(String, String)] {
    var headers: [(String, String)] = [("grpc-status", String(code.rawValue))]
    if !message.isEmpty { headers.append(("grpc-message", PercentEncoding.encode(message))) }
    if !details.isEmpty {
      let status = Google_Rpc_Status.with {
        $0.code = Int32(code.rawValue)
        $0.message = message
        $0.details = details
      }
      headers.append(("grpc-status-details-bin", headerValue(.binary(status.serializedBytes()))))
    }
    for entry in metadata where !entry.key.hasPrefix("grpc-") && !entry.key.hasPrefix(":") {
      headers.append((entry.key, headerValue(entry.value)))
    }
    return headers
  }
}
