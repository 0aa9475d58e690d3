internal import CProtobufC

/// Fields a message carried that its schema does not declare, in the order
/// they arrived; re-encoding writes them back unchanged.
public struct UnknownFields: Sendable, Hashable {
  public struct Field: Sendable, Hashable {
    public var number: UInt32
    /// The protobuf wire type (0 varint, 1 64-bit, 2 length-delimited, 5 32-bit).
    public var wireType: UInt8
    /// The encoded value after the tag, length prefix included for wire type 2.
    public var data: [UInt8]
  }

  public var fields: [Field] = []

  public init() {}

  public var isEmpty: Bool { fields.isEmpty }

  /// Reads the unknown fields protobuf-c kept on an unpacked message.
  package init(cMessage: UnsafeRawPointer) {
    let base = cMessage.assumingMemoryBound(to: ProtobufCMessage.self).pointee
    guard base.n_unknown_fields > 0, let unknown = base.unknown_fields else { return }
    let count = Int(base.n_unknown_fields)
    fields.reserveCapacity(count)
    for i in 0..<count {
      let f = unknown[i]
      fields.append(
        Field(
          number: f.tag, wireType: UInt8(truncatingIfNeeded: f.wire_type.rawValue),
          data: f.len > 0 ? Array(UnsafeBufferPointer(start: f.data, count: f.len)) : []))
    }
  }

  /// Hands the fields to protobuf-c to pack after the known ones.
  package func store(inMessage message: UnsafeMutableRawPointer, _ arena: ProtoArena) {
    guard !fields.isEmpty else { return }
    let base = message.assumingMemoryBound(to: ProtobufCMessage.self)
    let unknown = arena.copy(fields) { f in
      ProtobufCMessageUnknownField(
        tag: f.number, wire_type: ProtobufCWireType(rawValue: .init(f.wireType)), len: f.data.count,
        data: arena.bytes(f.data))
    }
    base.pointee.n_unknown_fields = UInt32(fields.count)
    base.pointee.unknown_fields = unknown
  }
}
