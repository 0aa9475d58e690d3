import SummitRPC

/// A request's HEADERS as they arrive, then checked against gRPC's rules.
struct RequestHead {
  var method = ""
  var path = ""
  var contentType = ""
  var authority = ""
  var encoding: String?
  var acceptEncoding: String?
  var timeout: String?
  var metadata = Metadata()
  var invalidMetadata: String?
  /// HPACK-decoded size so far, counted as SETTINGS_MAX_HEADER_LIST_SIZE
  /// counts it (name + value + 32 per field).
  var size = 0
  var tooLarge = false

  mutating func add(name: String, value: String, limit: Int) {
    size += name.utf8.count + value.utf8.count + 32
    if size > limit {
      tooLarge = true
      return
    }
    switch name {
    case ":method": method = value
    case ":path": path = value
    case ":authority": authority = value
    case "content-type": contentType = value
    case "grpc-encoding": encoding = value
    case "grpc-accept-encoding": acceptEncoding = value
    case "grpc-timeout": timeout = value
    default:
      if name.hasPrefix(":") || HeaderValues.reservedRequestHeaders.contains(name) { return }
      if let decoded = HeaderValues.metadataValue(key: name, value: value) {
        metadata.add(name, decoded)
      } else {
        invalidMetadata = name
      }
    }
  }

  /// `application/grpc` or `application/grpc+proto`, with optional parameters.
  var hasGRPCContentType: Bool {
    let type = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces().lowercased() } ?? ""
    return type == "application/grpc" || type == "application/grpc+proto"
  }
}
