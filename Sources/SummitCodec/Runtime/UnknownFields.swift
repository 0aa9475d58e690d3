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

  /// The largest field number protobuf allows (2^29 - 1).
  static let maxFieldNumber: UInt32 = (1 << 29) - 1

  /// Reads the unknown fields protobuf-c kept on an unpacked message.
  /// - Throws: ``CodecError/Code/malformed`` for a field number above 2^29 - 1,
  ///   which protobuf-c accepts but the protobuf encoding forbids.
  ///
  /// Inlined: nearly every message has none, and the check is one load.
  @inline(__always)
  package init(cMessage: UnsafeRawPointer) throws(CodecError) {
    let base = cMessage.assumingMemoryBound(to: ProtobufCMessage.self)
    guard base.pointee.n_unknown_fields > 0 else {
      self.init()
      return
    }
    try self.init(unknownOf: base.pointee)
  }

  private init(unknownOf base: ProtobufCMessage) throws(CodecError) {
    guard let unknown = base.unknown_fields else { return }
    let count = Int(base.n_unknown_fields)
    fields.reserveCapacity(count)
    for i in 0..<count {
      let f = unknown[i]
      // protobuf-c accepts field number 0 when the tag is written as an
      // overlong varint (0x81 0x00); protobuf forbids 0 (found by fuzz-codec).
      guard f.tag >= 1, f.tag <= Self.maxFieldNumber else {
        throw CodecError(code: .malformed, message: "field number \(f.tag) is outside 1...536870911")
      }
      fields.append(
        Field(
          number: f.tag, wireType: UInt8(truncatingIfNeeded: f.wire_type.rawValue),
          data: f.len > 0 ? Array(UnsafeBufferPointer(start: f.data, count: f.len)) : []))
    }
  }

  /// Hands the fields to protobuf-c to pack after the known ones, with
  /// `extra` after them.
  ///
  /// Inlined: nearly every message has none, and the check is one load.
  @inline(__always)
  package func store(inMessage message: UnsafeMutableRawPointer, _ arena: ProtoArena, adding extra: [Field] = []) {
    guard !fields.isEmpty || !extra.isEmpty else { return }
    storeNonEmpty(inMessage: message, arena, adding: extra)
  }

  private func storeNonEmpty(inMessage message: UnsafeMutableRawPointer, _ arena: ProtoArena, adding extra: [Field]) {
    let fields = extra.isEmpty ? self.fields : self.fields + extra
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

extension UnknownFields.Field {
  /// A float field holding -0.0, written as a raw 32-bit field.
  ///
  /// protobuf-c skips a proto3 float that compares equal to zero, so it would
  /// drop the sign of -0.0, which other implementations keep. Written as an
  /// unknown field with the known field's number, the value reaches every
  /// decoder as that field.
  package static func negativeZero(float number: Int32) -> Self {
    Self(number: UInt32(number), wireType: 5, data: [0, 0, 0, 0x80])
  }

  /// A double field holding -0.0, written as a raw 64-bit field (see the float case).
  package static func negativeZero(double number: Int32) -> Self {
    Self(number: UInt32(number), wireType: 1, data: [0, 0, 0, 0, 0, 0, 0, 0x80])
  }
}
