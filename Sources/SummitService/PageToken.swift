import SummitCodec

/// Opaque list page tokens: the position after the last item served (its
/// sort key and id) and a fingerprint of the filter, so that a token works
/// only with the query it came from. Keyset positions stay correct while
/// others insert or delete, unlike offsets.
struct PageToken: Equatable {
  var filter: String
  var sortKey: String
  var id: String

  func encoded() -> String {
    var bytes: [UInt8] = [1]  // format version
    for part in [filter, sortKey, id] {
      let utf8 = Array(part.utf8)
      bytes.append(UInt8(truncatingIfNeeded: utf8.count >> 8))
      bytes.append(UInt8(truncatingIfNeeded: utf8.count))
      bytes += utf8
    }
    return Base64.encode(bytes).replacing("+", with: "-").replacing("/", with: "_").replacing("=", with: "")
  }

  static func decode(_ text: String) -> PageToken? {
    guard let bytes = Base64.decode(text), bytes.first == 1 else { return nil }
    var parts: [String] = []
    var i = 1
    for _ in 0..<3 {
      guard i + 2 <= bytes.count else { return nil }
      let length = Int(bytes[i]) << 8 | Int(bytes[i + 1])
      i += 2
      guard i + length <= bytes.count, let s = String(validating: bytes[i..<(i + length)], as: UTF8.self) else {
        return nil
      }
      parts.append(s)
      i += length
    }
    guard i == bytes.count else { return nil }
    return PageToken(filter: parts[0], sortKey: parts[1], id: parts[2])
  }
}

/// Page sizes: 0 means 50, more than 1000 means 1000, negative is an error.
enum PageSize {
  static func resolve(_ requested: Int32, field: String = "page_size") throws -> Int {
    if requested < 0 { throw ServiceErrors.invalid(field, "must not be negative") }
    if requested == 0 { return 50 }
    return Int(min(requested, 1000))
  }
}
