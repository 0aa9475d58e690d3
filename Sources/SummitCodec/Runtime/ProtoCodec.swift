internal import CProtobufC

/// The two paths through protobuf-c that every generated message takes.
/// They speak raw pointers so that generated code in other modules, whose C
/// types come from their own C module, can call them.

/// Encodes the C message that `build` fills in an arena.
///
/// Inlined so that `build`'s capture of the message is a borrow, not a copy.
@inline(__always)
package func protoEncode(_ build: (ProtoArena) -> UnsafeRawPointer) -> [UInt8] {
  ProtoArena.withScratch { arena in
    // Array(_: UnsafeRawBufferPointer) compiles to a specialised allocation;
    // Array(unsafeUninitializedCapacity:) called the generic one, which
    // looks up the array's type metadata at run time on every call.
    packed(build(arena), in: arena) { [UInt8](UnsafeRawBufferPointer($0)) }
  }
}

/// Encodes the C message that `build` fills in an arena, after what `buffer` holds.
@inline(__always)
package func protoEncode(appendingTo buffer: inout [UInt8], _ build: (ProtoArena) -> UnsafeRawPointer) {
  ProtoArena.withScratch { arena in
    packed(build(arena), in: arena) { buffer.append(contentsOf: $0) }
  }
}

/// Packs `message`, built in `arena` since its last reset, into scratch
/// memory of the arena sized by ``ProtoArena/packedSizeBound``, and hands
/// the bytes to `body`.
private func packed<R>(
  _ message: UnsafeRawPointer, in arena: ProtoArena, _ body: (UnsafeBufferPointer<UInt8>) -> R
) -> R {
  let message = message.assumingMemoryBound(to: ProtobufCMessage.self)
  let bound = arena.packedSizeBound
  assert(protobuf_c_message_get_packed_size(message) <= bound, "packed size above the arena's bound")
  let out = arena.allocate(UInt8.self, count: bound)
  let written = protobuf_c_message_pack(message, out)
  precondition(written <= bound, "protobuf-c packed \(written) bytes, more than the bound \(bound)")
  return body(UnsafeBufferPointer(start: out, count: written))
}

/// Unpacks `bytes` as the message `descriptor` describes and has `read` copy
/// the C message into `message`: no C pointer outlives the call.
///
/// Generated initializers decode through this: handing the message through
/// inout, rather than returning it or capturing `self` in a closure, lets the
/// optimiser fill it in place instead of copying it out (a retain and
/// release of every field).
package func protoDecode<M>(
  _ bytes: [UInt8],
  descriptor: UnsafeRawPointer,
  into message: inout M,
  _ read: (inout M, UnsafeRawPointer) throws(CodecError) -> Void
) throws(CodecError) {
  try bytes.withUnsafeBufferPointer { buffer throws(CodecError) in
    try protoDecode(UnsafeRawBufferPointer(buffer), descriptor: descriptor) { c throws(CodecError) in
      try read(&message, c)
    }
  }
}

/// Unpacks `bytes` as the message `descriptor` describes and hands the C
/// message to `body`.
///
/// protobuf-c unpacks into this thread's ``ProtoArena`` rather than one
/// `malloc` per string, array and submessage; the whole tree goes at once when
/// the arena is reset, so `protobuf_c_message_free_unpacked` never runs.
package func protoDecode<T>(
  _ bytes: UnsafeRawBufferPointer,
  descriptor: UnsafeRawPointer,
  _ body: (UnsafeRawPointer) throws(CodecError) -> T
) throws(CodecError) -> T {
  let descriptor = descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
  return try ProtoArena.withScratch { arena throws(CodecError) in
    var allocator = arena.cAllocator
    // protobuf-c never reads past `count`; a non-nil pointer keeps it off a
    // NULL it may assert against for empty input.
    var empty: UInt8 = 0
    let unpacked = withUnsafeMutablePointer(to: &empty) { emptyPointer in
      protobuf_c_message_unpack(
        descriptor, &allocator, bytes.count,
        bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(emptyPointer))
    }
    guard let message = unpacked else {
      throw CodecError.malformed(String(cString: descriptor.pointee.name))
    }
    return try body(UnsafeRawPointer(message))
  }
}

/// Copies out of unpacked C messages (used by generated `init(_c:)`).
package enum ProtoC {
  /// A Swift string from a C string field; invalid UTF-8 is an error, never repaired.
  package static func string(_ p: UnsafePointer<CChar>?, field: String) throws(CodecError) -> String {
    guard let p else { return "" }
    guard let s = String(validatingCString: p) else {
      throw CodecError(code: .invalidUTF8, message: "\(field) is not valid UTF-8")
    }
    return s
  }

  package static func strings(
    _ p: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, count: Int, field: String
  ) throws(CodecError) -> [String] {
    guard let p, count > 0 else { return [] }
    var out: [String] = []
    out.reserveCapacity(count)
    for i in 0..<count { out.append(try string(p[i], field: field)) }
    return out
  }

  package static func bytes(_ p: UnsafeMutablePointer<UInt8>?, count: Int) -> [UInt8] {
    guard let p, count > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: p, count: count))
  }

  package static func array<T>(_ p: UnsafeMutablePointer<T>?, count: Int) -> [T] {
    guard let p, count > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: p, count: count))
  }

  package static func array<T, R>(
    _ p: UnsafeMutablePointer<T>?, count: Int, _ transform: (T) throws(CodecError) -> R
  ) throws(CodecError) -> [R] {
    guard let p, count > 0 else { return [] }
    var out: [R] = []
    out.reserveCapacity(count)
    for i in 0..<count { out.append(try transform(p[i])) }
    return out
  }
}
