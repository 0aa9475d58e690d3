import Dispatch
import Foundation
import SummitCodec
import SummitCodecTestProtos
import Testing

/// The codec's per-thread arena: chunk growth and reuse, the packed-size
/// bound encode relies on (debug builds assert it before every pack), and
/// use from many threads.
@Suite struct ArenaTests {
  typealias Scalars = Summit_Testing_V1_Scalars
  typealias Repeated = Summit_Testing_V1_Repeated

  func roundTrip<M: ProtoMessage>(_ message: M) throws -> M {
    try M(serializedBytes: message.serializedBytes())
  }

  @Test("messages larger than the chunk an arena keeps, then small ones, again and again")
  func growAndShrink() throws {
    let large = Repeated.with { $0.text = (0..<4000).map { String(repeating: "x", count: 200 + $0 % 50) } }
    let small = Scalars.with { $0.text = "small"; $0.i32 = 7 }
    for _ in 0..<3 {
      #expect(try roundTrip(large) == large)
      #expect(try roundTrip(small) == small)
    }
  }

  /// Non-packed negative int32s are the most wire bytes per byte of C
  /// struct (a tag and a 10-byte varint for 4 bytes), the tightest case of
  /// ProtoArena.packedSizeBound.
  @Test func densestEncodingFitsTheBound() throws {
    let message = Repeated.with {
      $0.unpacked = Array(repeating: -1, count: 10_000)
      $0.i32 = Array(repeating: .min, count: 1000)
      $0.color = Array(repeating: Summit_Testing_V1_Color(rawValue: -1), count: 1000)
    }
    let bytes = message.serializedBytes()
    #expect(bytes.count > 10_000 * 11)
    #expect(try Repeated(serializedBytes: bytes) == message)
    let scalars = Scalars.with { $0.i32 = -1; $0.i64 = -1; $0.s32 = .min; $0.flag = true }
    #expect(try roundTrip(scalars) == scalars)
  }

  @Test func manyThreadsAtOnce() {
    let failures = Failures()
    DispatchQueue.concurrentPerform(iterations: 8) { thread in
      for i in 0..<200 {
        let message = Repeated.with {
          $0.text = (0..<(i % 20)).map { "thread \(thread) item \($0) of a string long enough for the heap" }
          $0.scalars = [Scalars.with { $0.i32 = Int32(thread); $0.text = "\(i)" }]
        }
        if (try? roundTrip(message)) != message { failures.add() }
      }
    }
    #expect(failures.count == 0)
  }

  /// Each thread's arena is released by its exit (under ASan's leak check in
  /// `make test-asan` too, for the codec probe).
  @Test func threadsThatExit() {
    let done = DispatchSemaphore(value: 0)
    let failures = Failures()
    for t in 0..<4 {
      Thread {
        let message = Scalars.with { $0.text = String(repeating: "t", count: 100 + t) }
        if (try? Scalars(serializedBytes: message.serializedBytes())) != message { failures.add() }
        done.signal()
      }.start()
    }
    for _ in 0..<4 { done.wait() }
    #expect(failures.count == 0)
  }
}

/// A counter the test threads share.
private final class Failures: @unchecked Sendable {
  private let lock = NSLock()
  private var value = 0

  func add() { lock.withLock { value += 1 } }
  var count: Int { lock.withLock { value } }
}
