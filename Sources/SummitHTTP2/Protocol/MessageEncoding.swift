/// A `grpc-encoding` this transport speaks.
enum MessageEncoding: String, Sendable, CaseIterable {
  case identity
  case gzip

  /// What `grpc-accept-encoding` advertises.
  static let acceptHeader = "gzip,identity"

  /// The encodings listed in a `grpc-accept-encoding` value that we know.
  static func accepted(_ header: String?) -> Set<MessageEncoding> {
    guard let header else { return [.identity] }
    var result: Set<MessageEncoding> = [.identity]
    for token in header.split(separator: ",") {
      if let e = MessageEncoding(rawValue: token.trimmingSpaces()) { result.insert(e) }
    }
    return result
  }
}

extension Substring {
  func trimmingSpaces() -> String {
    String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
  }
}
