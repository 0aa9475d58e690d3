import Synchronization
import SummitCodec

/// Encoded answers of read methods, kept while the data they were read from
/// stays the same: a request's exact bytes (and its method) map to the
/// response's bytes, for as long as the source's generation does not move.
///
/// The source (the embedded store) raises its generation after every
/// commit and before the write is acknowledged. An answer is stored only
/// if the generation read before computing it is still the current one
/// when it is stored, so an answer computed from a snapshot older than an
/// acknowledged write is never served after that acknowledgement. When the
/// generation moves, every answer goes at once: writes here are rare next
/// to reads, and per-record invalidation would have to know which answers
/// (list pages) a record appears in.
///
/// Bounded by bytes (keys and answers); the oldest answers go first when a
/// new one needs room. An answer larger than an eighth of the budget is not
/// kept. Only answers that depend on nothing but the request and the data
/// belong here: not on the caller (access checks run before the cache is
/// consulted, see ``RPCHandler/guarded(by:)``), the clock or metadata.
public final class AnswerCache: Sendable {
  private struct Key: Hashable {
    var method: String
    var request: [UInt8]
  }

  private struct State {
    var generation: UInt64
    var answers: [Key: [UInt8]] = [:]
    /// Keys in insertion order from `oldest`; evicted entries are skipped.
    var order: [Key] = []
    var oldest = 0
    var bytes = 0
  }

  /// Bytes of keys and answers the cache may hold.
  public let budget: Int
  private let generation: @Sendable () -> UInt64
  private let counted: @Sendable (_ hit: Bool) -> Void
  private let state: Mutex<State>

  /// - Parameter generation: the source's current generation (cheap: read
  ///   on every lookup).
  /// - Parameter counted: told of every lookup, whether the answer was kept
  ///   (for metrics).
  public init(
    budget: Int, generation: @escaping @Sendable () -> UInt64, counted: @escaping @Sendable (_ hit: Bool) -> Void = { _ in }
  ) {
    self.budget = budget
    self.generation = generation
    self.counted = counted
    state = Mutex(State(generation: generation()))
  }

  /// The answer to `request` of `method`: the kept one, or `compute`'s,
  /// which is kept when it is not nil (nil: no answer to keep, passed on).
  public func answer(
    _ method: String, _ request: [UInt8], compute: () throws -> [UInt8]?
  ) rethrows -> [UInt8]? {
    let key = Key(method: method, request: request)
    let seen = generation()
    let kept = state.withLock { state -> [UInt8]? in
      guard Self.adopt(seen, in: &state) else { return nil }
      return state.answers[key]
    }
    counted(kept != nil)
    if let kept { return kept }
    guard let answer = try compute() else { return nil }
    store(answer, for: key, computedAt: seen)
    return answer
  }

  /// How many answers are kept now (for tests and metrics).
  public var count: Int { state.withLock { $0.answers.count } }

  private func store(_ answer: [UInt8], for key: Key, computedAt seen: UInt64) {
    let size = Self.size(key, answer)
    guard size <= budget / 8 else { return }
    state.withLock { state in
      // A write committed since `seen`: the answer may predate it.
      guard Self.adopt(seen, in: &state), generation() == seen, state.answers[key] == nil else { return }
      while state.bytes + size > budget, state.oldest < state.order.count {
        let old = state.order[state.oldest]
        state.oldest += 1
        if let gone = state.answers.removeValue(forKey: old) { state.bytes -= Self.size(old, gone) }
      }
      if state.oldest > 64 && state.oldest * 2 > state.order.count {
        state.order.removeFirst(state.oldest)
        state.oldest = 0
      }
      state.answers[key] = answer
      state.order.append(key)
      state.bytes += size
    }
  }

  /// Moves the cache to generation `seen` when it is newer (dropping every
  /// answer); false when `seen` is older than the cache's: a caller that
  /// read the generation before a newer one was adopted must not use or
  /// store answers.
  private static func adopt(_ seen: UInt64, in state: inout State) -> Bool {
    if seen == state.generation { return true }
    guard seen > state.generation else { return false }
    state = State(generation: seen)
    return true
  }

  private static func size(_ key: Key, _ answer: [UInt8]) -> Int {
    key.method.utf8.count + key.request.count + answer.count + 64
  }
}

extension RPCHandler {
  /// This handler with its immediate answers (``RPCHandler/immediate``)
  /// kept in `cache` and served from it while they hold. Apply it before
  /// ``guarded(by:)``, so that access checks still run on every call.
  public func cachingImmediateAnswers(in cache: AnswerCache) -> RPCHandler {
    guard let immediate else { return self }
    var copy = self
    let method = self.method.path
    copy.immediate = { request, context in
      try cache.answer(method, request) { try immediate(request, context) }
    }
    return copy
  }
}
