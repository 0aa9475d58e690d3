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
/// ``reset()``. Each thread keeps one arena and its largest chunk between
/// messages (``withScratch(_:)``), so a steady stream of messages of similar
/// size allocates nothing on the C side. Used only inside the codec
/// (generated code included); no pointer into it outlives one message.
package final class ProtoArena {
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
  /// The largest chunk ``reset()`` keeps for the next message.
  private static let retainedChunkLimit = 256 * 1024

  private var head: UnsafeMutableRawPointer?
  private var cursor: UnsafeMutableRawPointer?
  private var remaining = 0
  private var nextChunkSize = ProtoArena.minimumChunkSize

  package init() {}

  deinit {
    freeChunks(from: head)
  }

  package func allocateRaw(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
    if let cursor {
      let padding = (0 &- Int(bitPattern: cursor)) & (alignment &- 1)
      if padding &+ byteCount <= remaining {
        let start = cursor + padding
        self.cursor = start + byteCount
        remaining &-= padding &+ byteCount
        return start
      }
    }
    return allocateInNewChunk(byteCount: byteCount)
  }

  /// Starts a chunk big enough for `byteCount` (malloc's alignment covers
  /// every C type protobuf-c uses) and carves the request from its start.
  private func allocateInNewChunk(byteCount: Int) -> UnsafeMutableRawPointer {
    let size = max(nextChunkSize, byteCount + Self.headerSize)
    nextChunkSize = min(nextChunkSize * 2, Self.maximumChunkSize)
    guard let chunk = malloc(size) else { fatalError("out of memory") }
    chunk.storeBytes(of: ChunkHeader(next: head, size: size), as: ChunkHeader.self)
    head = chunk
    let start = chunk + Self.headerSize
    cursor = start + byteCount
    remaining = size - Self.headerSize - byteCount
    return start
  }

  /// Forgets every allocation. The largest chunk (up to a limit) stays as the
  /// current one; the others go back to malloc.
  package func reset() {
    var keep: UnsafeMutableRawPointer?
    var keepSize = 0
    var chunk = head
    while let c = chunk {
      let header = c.load(as: ChunkHeader.self)
      chunk = header.next
      if header.size > keepSize, header.size <= Self.retainedChunkLimit {
        if let keep { free(keep) }
        keep = c
        keepSize = header.size
      } else {
        free(c)
      }
    }
    head = keep
    if let keep {
      keep.storeBytes(of: ChunkHeader(next: nil, size: keepSize), as: ChunkHeader.self)
      cursor = keep + Self.headerSize
      remaining = keepSize - Self.headerSize
      nextChunkSize = min(keepSize * 2, Self.maximumChunkSize)
    } else {
      cursor = nil
      remaining = 0
      nextChunkSize = Self.minimumChunkSize
    }
  }

  private func freeChunks(from first: UnsafeMutableRawPointer?) {
    var chunk = first
    while let c = chunk {
      chunk = c.load(as: ChunkHeader.self).next
      free(c)
    }
  }

  /// Uninitialised, bound memory for `count` values of `T`.
  @inline(__always)
  package func allocate<T>(_: T.Type, count: Int = 1) -> UnsafeMutablePointer<T> {
    allocateRaw(byteCount: MemoryLayout<T>.stride * max(count, 1), alignment: MemoryLayout<T>.alignment)
      .bindMemory(to: T.self, capacity: max(count, 1))
  }

  /// A NUL-terminated copy of `s`. C strings end at the first NUL, so a
  /// string holding U+0000 is cut there: a limit of protobuf-c's string fields.
  package func cString(_ s: String) -> UnsafeMutablePointer<CChar> {
    var s = s
    return s.withUTF8 { utf8 in
      let p = allocateRaw(byteCount: utf8.count + 1, alignment: 1)
      if let base = utf8.baseAddress { p.copyMemory(from: base, byteCount: utf8.count) }
      p.storeBytes(of: 0, toByteOffset: utf8.count, as: UInt8.self)
      return p.bindMemory(to: CChar.self, capacity: utf8.count + 1)
    }
  }

  package func cStrings(_ strings: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
    let p = allocate(UnsafeMutablePointer<CChar>?.self, count: strings.count)
    for i in strings.indices { (p + i).initialize(to: cString(strings[i])) }
    return p
  }

  package func bytes(_ b: [UInt8]) -> UnsafeMutablePointer<UInt8>? {
    guard !b.isEmpty else { return nil }
    let p = allocate(UInt8.self, count: b.count)
    b.withUnsafeBufferPointer { p.initialize(from: $0.baseAddress!, count: b.count) }
    return p
  }

  /// A C array holding `values` (trivial types: numbers, C enums).
  package func copy<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
    let p = allocate(T.self, count: values.count)
    values.withUnsafeBufferPointer { if let base = $0.baseAddress { p.initialize(from: base, count: values.count) } }
    return p
  }

  /// A C array of `transform` applied to each value.
  package func copy<S, T>(_ values: [S], _ transform: (S) -> T) -> UnsafeMutablePointer<T> {
    let p = allocate(T.self, count: values.count)
    for i in values.indices { (p + i).initialize(to: transform(values[i])) }
    return p
  }

  /// A C array of pointers, one per value, each made by `make`.
  package func pointers<S, T>(
    _ values: [S], _ make: (S) -> UnsafeMutablePointer<T>
  ) -> UnsafeMutablePointer<UnsafeMutablePointer<T>?> {
    let p = allocate(UnsafeMutablePointer<T>?.self, count: values.count)
    for i in values.indices { (p + i).initialize(to: make(values[i])) }
    return p
  }
}
