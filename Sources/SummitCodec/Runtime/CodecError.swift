/// Why bytes could not be decoded as a message.
///
/// A struct rather than an enum so that new reasons can be added without
/// breaking callers that switch over them; compare ``code`` against the
/// static constants.
public struct CodecError: Error, Sendable, Hashable, CustomStringConvertible {
  public struct Code: Sendable, Hashable, CustomStringConvertible {
    private enum Value: String, Sendable, Hashable {
      case malformed, invalidUTF8, unknownType, invalidValue
    }
    private let value: Value
    private init(_ value: Value) { self.value = value }

    /// Not a valid encoding of the message: truncated, a wrong wire type,
    /// an overlong varint, a length past the end, a bad tag.
    public static let malformed = Code(.malformed)
    /// A string field holds bytes that are not UTF-8.
    public static let invalidUTF8 = Code(.invalidUTF8)
    /// A type name (in `Any` or a registry lookup) that no schema defines.
    public static let unknownType = Code(.unknownType)
    /// A value its type forbids, e.g. a Timestamp outside years 1 to 9999.
    public static let invalidValue = Code(.invalidValue)

    public var description: String { value.rawValue }
  }

  public var code: Code
  public var message: String

  public init(code: Code, message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { "\(code): \(message)" }

  static func malformed(_ typeName: String) -> CodecError {
    CodecError(code: .malformed, message: "bytes are not a valid \(typeName)")
  }
}
