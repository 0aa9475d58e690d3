#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The per-thread arena slot: holds a retained ``ProtoArena`` while no codec
/// call on this thread is using it; the thread's exit releases it.
private let scratchKey: pthread_key_t = {
  var key = pthread_key_t()
  let status = pthread_key_create(&key) { value in
    // Optional on Glibc, not on Darwin: the binding reads both.
    let slot: UnsafeMutableRawPointer? = value
    guard let slot else { return }
    Unmanaged<ProtoArena>.fromOpaque(slot).release()
  }
  precondition(status == 0, "pthread_key_create failed (\(status))")
  return key
}()

extension ProtoArena {
  /// Runs `body` with this thread's arena, emptied afterwards.
  ///
  /// The arena leaves the slot for the call, so a nested call (or another
  /// thread) never shares it: it gets an arena of its own instead. Keeping
  /// one per thread is what lets a steady stream of messages reuse the same
  /// chunk instead of allocating one per message.
  @inline(__always)
  package static func withScratch<R, E: Error>(_ body: (ProtoArena) throws(E) -> R) throws(E) -> R {
    let arena: ProtoArena
    if let slot = pthread_getspecific(scratchKey) {
      arena = Unmanaged<ProtoArena>.fromOpaque(slot).takeRetainedValue()
      pthread_setspecific(scratchKey, nil)
    } else {
      arena = ProtoArena()
    }
    defer {
      arena.reset()
      if pthread_getspecific(scratchKey) == nil {
        pthread_setspecific(scratchKey, Unmanaged.passRetained(arena).toOpaque())
      }
    }
    return try body(arena)
  }
}
