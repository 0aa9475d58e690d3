import SummitRPC
import Synchronization
import Testing

/// `AnswerCache`: answers kept per request while the source's generation
/// holds, never one computed across a write, and within its byte budget.
@Suite struct AnswerCacheTests {
  final class Source: Sendable {
    let generation = Atomic<UInt64>(0)
    let computed = Atomic<Int>(0)
    func bump() { generation.add(1, ordering: .releasing) }
    var now: UInt64 { generation.load(ordering: .acquiring) }
  }

  func answer(_ cache: AnswerCache, _ source: Source, _ request: [UInt8], size: Int = 4) -> [UInt8]? {
    cache.answer("/s/M", request) {
      source.computed.add(1, ordering: .relaxed)
      return Array(repeating: request.first ?? 0, count: size)
    }
  }

  @Test func keepsAnAnswerUntilTheGenerationMoves() {
    let source = Source()
    let cache = AnswerCache(budget: 1 << 20) { source.now }
    #expect(answer(cache, source, [1]) == [1, 1, 1, 1])
    #expect(answer(cache, source, [1]) == [1, 1, 1, 1])
    #expect(source.computed.load(ordering: .relaxed) == 1)
    source.bump()
    #expect(answer(cache, source, [1]) == [1, 1, 1, 1])
    #expect(source.computed.load(ordering: .relaxed) == 2)
  }

  @Test func methodsAndRequestsAreDistinctKeys() {
    let source = Source()
    let cache = AnswerCache(budget: 1 << 20) { source.now }
    _ = answer(cache, source, [1])
    _ = answer(cache, source, [2])
    _ = cache.answer("/s/Other", [1]) { [9] }
    #expect(cache.answer("/s/Other", [1]) { [0] } == [9])
    #expect(cache.count == 3)
  }

  @Test func anAnswerComputedAcrossAWriteIsNotKept() {
    let source = Source()
    let cache = AnswerCache(budget: 1 << 20) { source.now }
    // The write commits while the answer is being read: it may predate it.
    let first = cache.answer("/s/M", [1]) {
      source.bump()
      return [0]
    }
    #expect(first == [0])
    #expect(cache.count == 0)
    #expect(cache.answer("/s/M", [1]) { [1] } == [1])
    #expect(cache.answer("/s/M", [1]) { [2] } == [1])
  }

  @Test func nilAndErrorsAreNotKept() {
    let source = Source()
    let cache = AnswerCache(budget: 1 << 20) { source.now }
    #expect(cache.answer("/s/M", [1]) { nil } == nil)
    struct Failure: Error {}
    #expect(throws: Failure.self) { try cache.answer("/s/M", [1]) { throw Failure() } }
    #expect(cache.count == 0)
  }

  @Test func staysWithinItsBudgetDroppingTheOldestFirst() {
    let source = Source()
    // Each entry: 4 (method) + 1 (request) + 100 (answer) + 64 = 169 bytes.
    let cache = AnswerCache(budget: 169 * 10) { source.now }
    for request in 0..<200 { _ = answer(cache, source, [UInt8(request)], size: 100) }
    #expect(cache.count == 10)
    // The last ten are kept, the first are gone.
    let before = source.computed.load(ordering: .relaxed)
    _ = answer(cache, source, [199], size: 100)
    #expect(source.computed.load(ordering: .relaxed) == before)
    _ = answer(cache, source, [0], size: 100)
    #expect(source.computed.load(ordering: .relaxed) == before + 1)
  }

  @Test func anAnswerOverAnEighthOfTheBudgetIsNotKept() {
    let source = Source()
    let cache = AnswerCache(budget: 8_000) { source.now }
    _ = answer(cache, source, [1], size: 2_000)
    #expect(cache.count == 0)
    _ = answer(cache, source, [1], size: 900)
    #expect(cache.count == 1)
  }

  @Test func concurrentReadersAndAWriterNeverServeAnOldAnswerAfterTheWrite() async {
    // The "data" is the generation itself: an answer is the generation it
    // was computed at. After a bump returns, no lookup may answer older.
    let source = Source()
    let cache = AnswerCache(budget: 1 << 20) { source.now }
    await withTaskGroup(of: Bool.self) { group in
      group.addTask {
        for _ in 0..<2_000 { source.bump() }
        return true
      }
      for _ in 0..<4 {
        group.addTask {
          for _ in 0..<20_000 {
            let floor = source.now
            let answer = cache.answer("/s/M", [1]) { withUnsafeBytes(of: source.now) { Array($0) } }!
            let value = answer.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            if value < floor { return false }
          }
          return true
        }
      }
      for await ok in group { #expect(ok) }
    }
  }
}
