#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A bump allocator for the C side of one encode or decode.
///
/// protobuf-c packs from, and unpacks into, a tree of C structs, strings and
/// arrays. One `malloc` and `free` per node would dominate both directions, so
/// every node comes from a few chunks here and all of them go at once in
/// ``reset()``. Each thread keeps one arena and a chunk between messages
/// (``withScratch(_:)``), so a steady stream of messages of similar size
/// allocates nothing on the C side. Used only inside the codec
/// (generated code included); no pointer into it outlives one message.
package final class ProtoArena {
  /// The allocator's state lives outside the object so that protobuf-c's
  /// allocation hook reaches it through a plain pointer, without retaining
  /// the object or a dynamic exclusivity check per allocation.
  let state: UnsafeMutablePointer<ProtoArenaState>

  package init() {
    state = .allocate(capacity: 1)
    state.initialize(to: ProtoArenaState())
  }

  deinit {
    state.pointee.freeAll()
    state.deallocate()
  }

  @inline(__always)
  package func allocateRaw(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
    state.pointee.allocate(byteCount: byteCount, alignment: alignment)
  }

  /// Forgets every allocation, keeping a chunk for the next message.
  package func reset() {
    state.pointee.reset()
  }

  /// Uninitialised, bound memory for `count` values of `T`.
  @inline(__always)
  package func allocate<T>(_: T.Type, count: Int = 1) -> UnsafeMutablePointer<T> {
    allocateRaw(byteCount: MemoryLayout<T>.stride * max(count, 1), alignment: MemoryLayout<T>.alignment)
      .bindMemory(to: T.self, capacity: max(count, 1))
  }
}

/// The chunks and bump cursor of one ``ProtoArena``.
struct ProtoArenaState {
  /// Chunks are linked through a header at their start; the current chunk
  /// is the head of the list.
  private struct ChunkHeader {
    var next: UnsafeMutableRawPointer?
    var size: Int
  }

  /// Bytes before the first usable byte of a chunk; keeps malloc's 16-byte alignment.
  private static let headerSize = 16
  /// The first chunk of a new arena, and the smallest one ever allocated.
  private static let minimumChunkSize = 4096
  /// Growth stops doubling here; larger requests still get a chunk of their own.
  private static let maximumChunkSize = 1 << 20
  /// The largest chunk ``reset()`` keeps (or makes) for the next message.
  private static let retainedChunkLimit = 512 * 1024

  private var head: UnsafeMutableRawPointer?
  private var cursor = 0
  private var end = 0
  private var nextChunkSize = Self.minimumChunkSize
  /// String and bytes contents copied in since the last reset (see ``ProtoArena/packedSizeBound``).
  var payloadBytes = 0

  /// `byteCount` bytes at a multiple of `alignment` (a power of two).
  @inline(__always)
  mutating func allocate(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
    let start = (cursor &+ alignment &- 1) & ~(alignment &- 1)
    if byteCount <= end &- start {
      cursor = start &+ byteCount
      return UnsafeMutableRawPointer(bitPattern: start).unsafelyUnwrapped
    }
    return allocateInNewChunk(byteCount: byteCount)
  }

  /// Starts a chunk big enough for `byteCount` (malloc's alignment covers
  /// every C type protobuf-c uses) and carves the request from its start.
  private mutating func allocateInNewChunk(byteCount: Int) -> UnsafeMutableRawPointer {
    let size = max(nextChunkSize, byteCount + Self.headerSize)
    nextChunkSize = min(nextChunkSize * 2, Self.maximumChunkSize)
    guard let chunk = malloc(size) else { fatalError("out of memory") }
    chunk.storeBytes(of: ChunkHeader(next: head, size: size), as: ChunkHeader.self)
    head = chunk
    let start = chunk + Self.headerSize
    cursor = Int(bitPattern: start) + byteCount
    end = Int(bitPattern: chunk) + size
    return start
  }

  /// Forgets every allocation. A single chunk (up to a limit) stays for the
  /// next message; when the message needed several, they go back to malloc
  /// and the next chunk is made as large as all of them together, so that a
  /// run of messages of one size settles on one chunk and no mallocs.
  mutating func reset() {
    payloadBytes = 0
    guard let first = head else { return }
    let header = first.load(as: ChunkHeader.self)
    if header.next == nil, header.size <= Self.retainedChunkLimit {
      cursor = Int(bitPattern: first) + Self.headerSize
      return
    }
    var total = 0
    var chunk = head
    while let c = chunk {
      let header = c.load(as: ChunkHeader.self)
      chunk = header.next
      total += header.size
      free(c)
    }
    head = nil
    cursor = 0
    end = 0
    nextChunkSize = min(max(total, Self.minimumChunkSize), Self.retainedChunkLimit)
  }

  /// Bytes handed out since the last reset, padding and the unused ends of
  /// full chunks included: never less than what was asked for.
  var bytesInUse: Int {
    guard let first = head else { return 0 }
    var total = cursor - (Int(bitPattern: first) + Self.headerSize)
    var chunk = first.load(as: ChunkHeader.self).next
    while let c = chunk {
      let header = c.load(as: ChunkHeader.self)
      total += header.size - Self.headerSize
      chunk = header.next
    }
    return total
  }

  /// Frees every chunk; the state must not be used afterwards.
  mutating func freeAll() {
    var chunk = head
    while let c = chunk {
      chunk = c.load(as: ChunkHeader.self).next
      free(c)
    }
    head = nil
  }
}
