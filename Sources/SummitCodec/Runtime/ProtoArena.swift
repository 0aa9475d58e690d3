#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A bump allocator for the C copy of one message being encoded.
///
/// protobuf-c packs from a tree of C structs, strings and arrays. Building
/// that tree with one `malloc` per node would dominate encoding, so every node
/// comes from a few chunks here, all freed at once when the arena goes. Used
/// only inside the codec (generated code included), never past one encode.
package final class ProtoArena {
  private var chunks: [UnsafeMutableRawPointer] = []
  private var cursor: UnsafeMutableRawPointer?
  private var remaining = 0
  private var nextChunkSize = 1024

  package init() {}

  deinit {
    for chunk in chunks { free(chunk) }
  }

  package func allocateRaw(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
    if let cursor {
      let padding = (alignment - Int(bitPattern: cursor) % alignment) % alignment
      if padding + byteCount <= remaining {
        let start = cursor + padding
        self.cursor = start + byteCount
        remaining -= padding + byteCount
        return start
      }
    }
    // Large requests get a chunk of their own; the current chunk stays in use.
    if byteCount > nextChunkSize / 2 {
      return newChunk(byteCount)
    }
    let chunk = newChunk(nextChunkSize)
    cursor = chunk + byteCount
    remaining = nextChunkSize - byteCount
    nextChunkSize = min(nextChunkSize * 2, 64 * 1024)
    return chunk
  }

  private func newChunk(_ size: Int) -> UnsafeMutableRawPointer {
    // malloc's alignment (16 on 64-bit) covers every C type protobuf-c uses.
    guard let chunk = malloc(max(size, 1)) else { fatalError("out of memory") }
    chunks.append(chunk)
    return chunk
  }

  /// Uninitialised, bound memory for `count` values of `T`.
  package func allocate<T>(_: T.Type, count: Int = 1) -> UnsafeMutablePointer<T> {
    allocateRaw(byteCount: MemoryLayout<T>.stride * max(count, 1), alignment: MemoryLayout<T>.alignment)
      .bindMemory(to: T.self, capacity: max(count, 1))
  }

  /// A NUL-terminated copy of `s`. C strings end at the first NUL, so a
  /// string holding U+0000 is cut there: a limit of protobuf-c's string fields.
  package func cString(_ s: String) -> UnsafeMutablePointer<CChar> {
    var s = s
    return s.withUTF8 { utf8 in
      let p = allocate(CChar.self, count: utf8.count + 1)
      UnsafeMutableRawPointer(p).copyMemory(from: utf8.baseAddress!, byteCount: utf8.count)
      p[utf8.count] = 0
      return p
    }
  }

  package func cStrings(_ strings: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
    let p = allocate(UnsafeMutablePointer<CChar>?.self, count: strings.count)
    for (i, s) in strings.enumerated() { (p + i).initialize(to: cString(s)) }
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
    for (i, v) in values.enumerated() { (p + i).initialize(to: transform(v)) }
    return p
  }

  /// A C array of pointers, one per value, each made by `make`.
  package func pointers<S, T>(
    _ values: [S], _ make: (S) -> UnsafeMutablePointer<T>
  ) -> UnsafeMutablePointer<UnsafeMutablePointer<T>?> {
    let p = allocate(UnsafeMutablePointer<T>?.self, count: values.count)
    for (i, v) in values.enumerated() { (p + i).initialize(to: make(v)) }
    return p
  }
}
