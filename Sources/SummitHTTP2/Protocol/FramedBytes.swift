/// gRPC messages framed for the wire, as a few byte arrays sent back to
/// back: a large message is kept as the array the handler built, behind a
/// prefix of its own, rather than copied behind its prefix into a new one
/// (a 32 KB list page was copied once more for nothing). Small messages and
/// prefixes share one array, so a small response is still one array.
struct FramedBytes {
  /// The first array; the only one unless a large message was appended.
  private(set) var first: [UInt8] = []
  /// The arrays after `first`, in order.
  private(set) var rest: [[UInt8]] = []
  /// Bytes in all arrays.
  private(set) var count = 0

  /// Messages at least this large are not copied.
  static let copyLimit = 2048

  init() {}

  /// `message` framed (gzip-compressed first when `gzip`).
  init(message: [UInt8], gzip: Bool) {
    append(message: message, gzip: gzip)
  }

  /// Appends `message` with its prefix, gzip-compressed first when `gzip`.
  mutating func append(message: [UInt8], gzip: Bool) {
    append(message: gzip ? Gzip.compress(message) : message, compressed: gzip)
  }

  /// Appends `message`, already compressed if `compressed`, with its prefix.
  mutating func append(message: [UInt8], compressed: Bool) {
    let copied = message.count < Self.copyLimit
    withOpenArray { open in
      // Exact room for a first message; after that the array grows by doubling.
      if open.isEmpty { open.reserveCapacity(MessageFramer.headerSize + (copied ? message.count : 0)) }
      let length = UInt32(message.count)
      open.append(compressed ? 1 : 0)
      open.append(UInt8(truncatingIfNeeded: length >> 24))
      open.append(UInt8(truncatingIfNeeded: length >> 16))
      open.append(UInt8(truncatingIfNeeded: length >> 8))
      open.append(UInt8(truncatingIfNeeded: length))
      if copied { open.append(contentsOf: message) }
    }
    if !copied {
      rest.append(message)
      openIsLast = false
    }
    count += MessageFramer.headerSize + message.count
  }

  /// Small appends go to the last array while it is this value's own.
  private var openIsLast = true

  private mutating func withOpenArray(_ body: (inout [UInt8]) -> Void) {
    if rest.isEmpty {
      body(&first)
    } else if openIsLast {
      body(&rest[rest.count - 1])
    } else {
      var open: [UInt8] = []
      body(&open)
      rest.append(open)
      openIsLast = true
    }
  }

  /// Every array, in order.
  var segments: [[UInt8]] { [first] + rest }
}
