/// A protobuf message as a Swift value: generated for every message of the
/// schemas, encoded and decoded through protobuf-c.
///
/// ```swift
/// let leader = Summit_V1_Leader.with {
///   $0.name = "leaders/vladimir-putin"
///   $0.displayName = "Vladimir Putin"
/// }
/// let bytes = leader.serializedBytes()
/// let again = try Summit_V1_Leader(serializedBytes: bytes)
/// ```
public protocol ProtoMessage: Sendable, Hashable {
  /// Fully qualified proto name, e.g. `summit.v1.Leader`.
  static var protoMessageName: String { get }
  /// Every field of the message, in declaration order.
  static var protoFields: [ProtoFieldInfo] { get }

  /// A message with every field at its default.
  init()

  /// Decodes the protobuf wire format.
  /// - Throws: ``CodecError`` when the bytes are not a valid message of this
  ///   type (truncated, wrong wire type, bad length, invalid UTF-8, …).
  init(serializedBytes bytes: [UInt8]) throws(CodecError)

  /// Encodes to the protobuf wire format.
  func serializedBytes() -> [UInt8]

  /// Encodes to the protobuf wire format after what `buffer` already holds.
  func appendSerializedBytes(to buffer: inout [UInt8])

  /// Hands each present field to `visitor`, in field-number order.
  func visitFields<Visitor: ProtoVisitor>(_ visitor: inout Visitor)

  /// Sets the field that `key` (its JSON or proto name) names from a proto3
  /// JSON value; false when the message has no such field.
  mutating func decodeJSONField(_ key: String, _ value: JSONValue, _ decoder: ProtoJSONDecoder) throws(CodecError) -> Bool

  /// Fields this version of the schema does not know, kept so that a
  /// decode and re-encode passes them on unchanged.
  var unknownFields: UnknownFields { get set }
}

extension ProtoMessage {
  /// Decodes the protobuf wire format from any collection of bytes
  /// (an `ArraySlice`, a `Data`, …).
  public init<Bytes: Collection<UInt8>>(serializedBytes bytes: Bytes) throws(CodecError) {
    self = try Self(serializedBytes: Array(bytes))
  }

  /// A new message, populated by `populate`.
  public static func with(_ populate: (inout Self) throws -> Void) rethrows -> Self {
    var message = Self()
    try populate(&message)
    return message
  }
}

/// A protobuf enum as a Swift enum with a case per known value and
/// `unrecognized(Int32)` for values a newer schema may send.
public protocol ProtoEnum: Sendable, Hashable {
  /// Fully qualified proto name, e.g. `summit.v1.VisitKind`.
  static var protoEnumName: String { get }
  /// The known values, in declaration order (first name of each number).
  static var knownCases: [Self] { get }
  /// The known case for `rawValue`, or `unrecognized(rawValue)`.
  init(rawValue: Int32)
  var rawValue: Int32 { get }
  /// The value's name in the schema, e.g. `VISIT_KIND_STATE_VISIT`; nil when unrecognized.
  var protoName: String? { get }
}

extension ProtoEnum {
  /// The known case whose schema name is `protoName`.
  public init?(protoName: String) {
    guard let match = Self.knownCases.first(where: { $0.protoName == protoName }) else { return nil }
    self = match
  }
}
