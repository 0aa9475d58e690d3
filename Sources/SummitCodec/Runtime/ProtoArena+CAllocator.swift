internal import CProtobufC

extension ProtoArena {
  /// A protobuf-c allocator drawing on this arena; its `free` does nothing,
  /// since ``reset()`` releases everything at once. Valid while the arena lives.
  var cAllocator: ProtobufCAllocator {
    ProtobufCAllocator(alloc: arenaAllocate, free: arenaFree, allocator_data: UnsafeMutableRawPointer(state))
  }
}

/// protobuf-c's allocation hook: memory aligned for any member of a
/// protobuf-c struct (pointers, 64-bit numbers, doubles). A zero-byte request
/// still gets a distinct non-NULL pointer, as from malloc.
private func arenaAllocate(_ state: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
  state.unsafelyUnwrapped.assumingMemoryBound(to: ProtoArenaState.self)
    .pointee.allocate(byteCount: max(size, 1), alignment: 8)
}

/// protobuf-c's free hook: nothing to do until the arena's reset.
private func arenaFree(_ state: UnsafeMutableRawPointer?, _ pointer: UnsafeMutableRawPointer?) {}
