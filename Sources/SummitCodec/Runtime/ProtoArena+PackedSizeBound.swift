extension ProtoArena {
  /// An upper bound of the encoded size of the C message built in this arena
  /// since its last reset, without walking it.
  ///
  /// `protobuf_c_message_get_packed_size` walks the whole tree, and packing
  /// walks it again (recomputing every submessage's size for its length
  /// prefix), so asking for the exact size first costs about a third of an
  /// encode. Packing into a buffer of this bound instead needs no first walk.
  ///
  /// Why it holds: every byte protobuf-c writes for a proto3 message comes
  /// from memory in this arena. String and bytes contents (``payloadBytes``)
  /// go out once, plus at most 10 bytes of tag and length per value. Every
  /// other value costs at most 15 bytes on the wire (a 5-byte tag and a
  /// 10-byte varint) and at least 4 bytes here (the smallest protobuf-c
  /// member: int32, float, enum, protobuf_c_boolean); a string's or
  /// submessage's 10 bytes of tag and length are backed by at least its
  /// 8-byte pointer and NUL or 24-byte message header. So the wire holds at
  /// most 4 bytes per non-payload byte here. (proto2 default values live in
  /// static memory, outside the arena; summit-protogen supports proto3 only.)
  /// Debug builds check the bound against protobuf-c's own count.
  package var packedSizeBound: Int {
    let payload = state.pointee.payloadBytes
    return payload + 4 * (state.pointee.bytesInUse - payload) + 16
  }
}
