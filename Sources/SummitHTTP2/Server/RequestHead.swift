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

  /// `application/grpc` or `application/grpc+proto`, in any case, with
  /// optional parameters after `;` and spaces around the type. Checked on
  /// the UTF-8 bytes: every call passes here, and String's Character-level
  /// algorithms were a tenth of a health check's CPU time.
  var hasGRPCContentType: Bool { Self.isGRPCContentType(contentType) }

  static func isGRPCContentType(_ value: String) -> Bool {
    let bytes = value.utf8
    var i = bytes.startIndex
    func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
    while i != bytes.endIndex, isSpace(bytes[i]) { i = bytes.index(after: i) }
    /// Consumes `word` (lowercase ASCII) case-insensitively.
    func consume(_ word: StaticString) -> Bool {
      var j = i
      for expected in UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount) {
        guard j != bytes.endIndex else { return false }
        let b = bytes[j]
        let lower = (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b
        guard lower == expected else { return false }
        j = bytes.index(after: j)
      }
      i = j
      return true
    }
    guard consume("application/grpc") else { return false }
    _ = consume("+proto")
    while i != bytes.endIndex, isSpace(bytes[i]) { i = bytes.index(after: i) }
    return i == bytes.endIndex || bytes[i] == UInt8(ascii: ";")
  }
}
