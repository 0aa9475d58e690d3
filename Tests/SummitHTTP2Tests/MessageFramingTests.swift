import Testing

@testable import SummitHTTP2

@Suite struct MessageFramingTests {
  func frame(_ messages: [[UInt8]], compressed: Bool = false) -> [UInt8] {
    var out: [UInt8] = []
    for m in messages { MessageFramer.append(m, compressed: compressed, to: &out) }
    return out
  }

  @Test func prefixIsFlagAndBigEndianLength() {
    #expect(frame([[0xAA, 0xBB]]) == [0, 0, 0, 0, 2, 0xAA, 0xBB])
    #expect(frame([[]], compressed: true) == [1, 0, 0, 0, 0])
  }

  @Test(arguments: [1, 2, 3, 5, 7, 64, 100_000])
  func deframesAcrossAnyChunking(chunkSize: Int) throws {
    let messages: [[UInt8]] = [[], [1], Array(repeating: 7, count: 70_000), [1, 2, 3]]
    let bytes = frame(messages)
    var deframer = MessageDeframer(maxMessageSize: 1 << 20)
    var out: [[UInt8]] = []
    var start = 0
    while start < bytes.count {
      let end = min(bytes.count, start + chunkSize)
      bytes[start..<end].withUnsafeBytes { deframer.append($0) }
      while let m = try deframer.next() { out.append(m.bytes) }
      start = end
    }
    #expect(out == messages)
    #expect(!deframer.hasPartialMessage)
  }

  @Test func refusesOversizedBeforeBuffering() {
    var deframer = MessageDeframer(maxMessageSize: 10)
    ([0, 0, 0, 0, 11] as [UInt8]).withUnsafeBytes { deframer.append($0) }
    #expect(throws: MessageDeframer.Failure.tooLarge(length: 11, limit: 10)) { try deframer.next() }
  }

  @Test func refusesBadFlag() {
    var deframer = MessageDeframer(maxMessageSize: 10)
    ([2, 0, 0, 0, 0] as [UInt8]).withUnsafeBytes { deframer.append($0) }
    #expect(throws: MessageDeframer.Failure.badFlag(2)) { try deframer.next() }
  }

  @Test func reportsPartialMessage() throws {
    var deframer = MessageDeframer(maxMessageSize: 100)
    ([0, 0, 0, 0, 100, 1, 2] as [UInt8]).withUnsafeBytes { deframer.append($0) }
    #expect(try deframer.next() == nil)
    #expect(deframer.hasPartialMessage)
  }
}

@Suite struct HeaderValueTests {
  @Test(arguments: [
    ("1H", Duration.seconds(3600)), ("2M", .seconds(120)), ("3S", .seconds(3)), ("4m", .milliseconds(4)),
    ("5u", .microseconds(5)), ("6n", .nanoseconds(6)), ("99999999S", .seconds(99_999_999)),
  ])
  func timeouts(text: String, expected: Duration) {
    #expect(GRPCTimeout.parse(text[...]) == expected)
  }

  @Test(arguments: ["", "S", "100", "1x", "123456789S", "-1S", " 1S"])
  func badTimeouts(text: String) {
    #expect(GRPCTimeout.parse(text[...]) == nil)
  }

  @Test func timeoutFormatRoundTrips() {
    for d: Duration in [.nanoseconds(1), .milliseconds(250), .seconds(30), .seconds(86_400 * 365)] {
      let text = GRPCTimeout.format(d)
      #expect(text.count <= 9)
      #expect(GRPCTimeout.parse(text[...])! >= d)
    }
  }

  @Test func percentEncodingFollowsTheSpec() {
    let message = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n"
    let encoded = PercentEncoding.encode(message)
    #expect(encoded.allSatisfy { $0.isASCII && $0 != "\n" })
    #expect(encoded.hasPrefix("%09%0Atest with whitespace%0D%0A"))
    #expect(PercentEncoding.encode("100%") == "100%25")
    #expect(PercentEncoding.decode(encoded) == message)
    #expect(PercentEncoding.decode("bad %ZZ and %4") == "bad %ZZ and %4")
  }

  @Test func gzipRoundTripAndBombLimit() throws {
    let text = [UInt8](repeating: 65, count: 1_000_000)
    let compressed = Gzip.compress(text)
    #expect(compressed.count < 10_000)
    #expect(try Gzip.decompress(compressed, limit: 1_000_000) == text)
    #expect(throws: Gzip.Failure.self) { try Gzip.decompress(compressed, limit: 999_999) }
    #expect(throws: Gzip.Failure.self) { try Gzip.decompress(Array(compressed.prefix(20)), limit: 1 << 20) }
    #expect(throws: Gzip.Failure.self) { try Gzip.decompress([1, 2, 3, 4], limit: 1 << 20) }
    #expect(try Gzip.decompress(Gzip.compress([]), limit: 10) == [])
  }

  @Test func acceptEncodingParsing() {
    #expect(MessageEncoding.accepted("gzip, identity") == [.gzip, .identity])
    #expect(MessageEncoding.accepted("deflate") == [.identity])
    #expect(MessageEncoding.accepted(nil) == [.identity])
  }
}
