/// Bytes waiting to go out on one stream, first in first out: the arrays
/// they were handed over in, read from the front without copying them into
/// one. The array being read is held apart from the queue behind it, so a
/// stream that never has more than one array queued allocates nothing here.
struct PendingBytes {
  /// The array being read, and how far.
  private var current: [UInt8] = []
  private var offset = 0
  /// Arrays behind `current`, from `queueHead` on.
  private var queue: [[UInt8]] = []
  private var queueHead = 0

  private(set) var count = 0

  mutating func append(_ bytes: [UInt8]) {
    guard !bytes.isEmpty else { return }
    if offset == current.count && queueHead == queue.count {
      current = bytes
      offset = 0
    } else {
      queue.append(bytes)
    }
    count += bytes.count
  }

  mutating func append(_ framed: FramedBytes) {
    append(framed.first)
    for array in framed.rest { append(array) }
  }

  /// Hands the first `n` bytes (at most ``count``) to `body`, a contiguous
  /// piece at a time, and drops them.
  mutating func consume(_ n: Int, _ body: (UnsafeRawBufferPointer) -> Void) {
    var left = min(n, count)
    while left > 0 {
      if offset == current.count { advance() }
      let take = min(left, current.count - offset)
      current.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + take)])) }
      offset += take
      left -= take
      count -= take
    }
    if offset == current.count {
      if queueHead < queue.count {
        advance()
      } else {
        current = []  // let the read array go now, not at the next append
        offset = 0
      }
    }
  }

  /// Makes the next queued array current (letting the read one go).
  private mutating func advance() {
    current = queue[queueHead]
    queue[queueHead] = []
    queueHead += 1
    offset = 0
    if queueHead == queue.count {
      queue.removeAll(keepingCapacity: queue.capacity <= 64)
      queueHead = 0
    } else if queueHead >= 32 && queueHead * 2 >= queue.count {
      queue.removeFirst(queueHead)
      queueHead = 0
    }
  }

  /// Moves up to `buffer.count` bytes into `buffer`; returns how many.
  mutating func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
    var written = 0
    consume(min(buffer.count, count)) { piece in
      UnsafeMutableRawBufferPointer(rebasing: buffer[written..<(written + piece.count)]).copyMemory(from: piece)
      written += piece.count
    }
    return written
  }
}
