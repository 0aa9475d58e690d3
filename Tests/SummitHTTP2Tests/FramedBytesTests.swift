import Testing

@testable import SummitHTTP2

/// `FramedBytes` (messages framed without copying the large ones) and
/// `PendingBytes` (a stream's queue, read from the front in pieces) give
/// exactly the bytes `MessageFramer` does, however they are split.
@Suite struct FramedBytesTests {
  static let messages: [[UInt8]] = [
    [], [1], Array(repeating: 7, count: 70_000), [1, 2, 3], Array(repeating: 9, count: FramedBytes.copyLimit),
    Array(repeating: 4, count: FramedBytes.copyLimit - 1), [5, 5],
  ]

  func reference(_ messages: [[UInt8]], compressed: Bool = false) -> [UInt8] {
    var out: [UInt8] = []
    for m in messages { MessageFramer.append(m, compressed: compressed, to: &out) }
    return out
  }

  @Test func framesLikeMessageFramer() {
    var framed = FramedBytes()
    for m in Self.messages { framed.append(message: m, compressed: false) }
    #expect(framed.segments.flatMap { $0 } == reference(Self.messages))
    #expect(framed.count == reference(Self.messages).count)
    #expect(FramedBytes(message: [1, 2], gzip: false).segments == [[0, 0, 0, 0, 2, 1, 2]])
  }

  @Test func aLargeMessageIsKeptAsItsOwnArray() {
    let large = Array(repeating: UInt8(3), count: 40_000)
    let framed = FramedBytes(message: large, gzip: false)
    #expect(framed.segments == [[0, 0, 0, 0x9c, 0x40], large])
    // Small messages after it share a new array, prefixes included.
    var more = framed
    more.append(message: [8], compressed: true)
    more.append(message: [9], compressed: false)
    #expect(more.segments.count == 3)
    #expect(more.segments[2] == [1, 0, 0, 0, 1, 8, 0, 0, 0, 0, 1, 9])
  }

  @Test(arguments: [1, 2, 5, 9, 4096, 16_384, 100_000])
  func pendingBytesGiveBackTheSameBytesInAnySteps(step: Int) {
    var pending = PendingBytes()
    var expected: [UInt8] = []
    var out: [UInt8] = []
    // Appends interleaved with reads, as a stream gets them.
    for (index, m) in Self.messages.enumerated() {
      var framed = FramedBytes()
      framed.append(message: m, compressed: false)
      pending.append(framed)
      expected += reference([m])
      if index % 2 == 1 {
        pending.consume(step) { out += $0 }
      }
    }
    while pending.count > 0 {
      let before = pending.count
      pending.consume(step) { out += $0 }
      #expect(pending.count == before - min(step, before))
    }
    #expect(out == expected)
  }

  @Test func readCopiesIntoABuffer() {
    var pending = PendingBytes()
    pending.append([1, 2, 3])
    pending.append([4, 5])
    var buffer = [UInt8](repeating: 0, count: 4)
    let count = buffer.withUnsafeMutableBytes { pending.read(into: $0) }
    #expect(count == 4)
    #expect(buffer == [1, 2, 3, 4])
    #expect(pending.count == 1)
  }
}
