/// Framed messages waiting for nghttp2 to pull them into DATA frames: a byte
/// queue that reuses its storage once drained.
struct PendingBytes {
  private var bytes: [UInt8] = []
  private var start = 0

  var count: Int { bytes.count - start }

  mutating func append(_ framed: [UInt8]) {
    if start == bytes.count {
      // Empty: adopt the caller's array instead of copying it.
      bytes = framed
      start = 0
      return
    }
    bytes.append(contentsOf: framed)
  }

  /// Moves up to `buffer.count` bytes into `buffer`; returns how many.
  mutating func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
    let n = min(buffer.count, count)
    guard n > 0 else { return 0 }
    bytes.withUnsafeBytes { all in
      buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: all[start..<(start + n)]))
    }
    start += n
    if start == bytes.count {
      // Keep a modest buffer for the next messages; let a large one go.
      bytes.removeAll(keepingCapacity: bytes.capacity <= 256 * 1024)
      start = 0
    }
    return n
  }
}
