/// gRPC's length-prefixed messages: a 1-byte compressed flag, a 4-byte
/// big-endian length, then the message.
package enum MessageFramer {
  package static let headerSize = 5

  /// Appends `message` with its 5-byte prefix to `out`.
  package static func append(_ message: [UInt8], compressed: Bool, to out: inout [UInt8]) {
    out.reserveCapacity(out.count + headerSize + message.count)
    out.append(compressed ? 1 : 0)
    let length = UInt32(message.count)
    out.append(UInt8(truncatingIfNeeded: length >> 24))
    out.append(UInt8(truncatingIfNeeded: length >> 16))
    out.append(UInt8(truncatingIfNeeded: length >> 8))
    out.append(UInt8(truncatingIfNeeded: length))
    out.append(contentsOf: message)
  }
}

/// Splits a stream's DATA bytes back into messages, refusing any message
/// larger than the configured limit before buffering it.
package struct MessageDeframer {
  package enum Failure: Error, Equatable {
    /// The prefix announces more bytes than the limit allows.
    case tooLarge(length: Int, limit: Int)
    /// The flag byte is neither 0 nor 1.
    case badFlag(UInt8)
  }

  package struct Message: Equatable {
    package var bytes: [UInt8]
    package var compressed: Bool
  }

  package let maxMessageSize: Int
  private var buffer: [UInt8] = []
  private var readIndex = 0

  package init(maxMessageSize: Int) {
    self.maxMessageSize = maxMessageSize
  }

  package mutating func append(_ bytes: UnsafeRawBufferPointer) {
    if readIndex > 0 && readIndex == buffer.count {
      buffer.removeAll(keepingCapacity: true)
      readIndex = 0
    }
    buffer.append(contentsOf: bytes)
  }

  /// Bytes of a message that has begun but not ended: at the end of the
  /// stream they mean the client sent a truncated message.
  package var hasPartialMessage: Bool { readIndex < buffer.count }

  /// The next complete message, or nil until more bytes arrive.
  package mutating func next() throws(Failure) -> Message? {
    let available = buffer.count - readIndex
    guard available >= MessageFramer.headerSize else { return nil }
    let flag = buffer[readIndex]
    guard flag <= 1 else { throw .badFlag(flag) }
    var length = 0
    for i in 1...4 { length = length << 8 | Int(buffer[readIndex + i]) }
    guard length <= maxMessageSize else { throw .tooLarge(length: length, limit: maxMessageSize) }
    guard available >= MessageFramer.headerSize + length else { return nil }
    let start = readIndex + MessageFramer.headerSize
    let message = Message(bytes: Array(buffer[start..<(start + length)]), compressed: flag == 1)
    readIndex = start + length
    if readIndex == buffer.count {
      buffer.removeAll(keepingCapacity: buffer.capacity <= 64 * 1024)
      readIndex = 0
    } else if readIndex > 64 * 1024 {
      buffer.removeFirst(readIndex)
      readIndex = 0
    }
    return message
  }
}
