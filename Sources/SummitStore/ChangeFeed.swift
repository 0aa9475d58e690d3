import Synchronization

/// Fans committed changes out to live watchers, in commit order.
///
/// The store publishes in commit order: SQLite from its single writer right
/// after each commit; PostgreSQL through ``PostgresChangeFollower``, which
/// publishes every replica's commits in sequence (= commit) order. A watcher that falls more than
/// `maxBacklog` changes behind is ended (it can resume from the durable log
/// with its last sequence) rather than letting its backlog grow without bound.
public final class ChangeFeed: Sendable {
  public struct Overflow: Error, CustomStringConvertible {
    public var lastDelivered: Int64
    public var description: String { "the watcher fell too far behind; resume after sequence \(lastDelivered)" }
  }

  private struct Subscriber {
    var continuation: AsyncThrowingStream<Change, any Error>.Continuation
  }
  private struct State {
    var subscribers: [Int: Subscriber] = [:]
    var nextID = 0
  }
  private let state = Mutex(State())
  private let maxBacklog: Int

  public init(maxBacklog: Int = 10_000) {
    self.maxBacklog = maxBacklog
  }

  /// Changes published from now on, until the stream's consumer stops.
  public func subscribe() -> AsyncThrowingStream<Change, any Error> {
    let (stream, continuation) = AsyncThrowingStream.makeStream(
      of: Change.self, throwing: (any Error).self, bufferingPolicy: .bufferingOldest(maxBacklog + 1))
    let id = state.withLock { state -> Int in
      let id = state.nextID
      state.nextID += 1
      state.subscribers[id] = Subscriber(continuation: continuation)
      return id
    }
    continuation.onTermination = { [weak self] _ in
      _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
    }
    return stream
  }

  /// Delivers committed changes, in order, to every subscriber.
  public func publish(_ changes: [Change]) {
    guard !changes.isEmpty else { return }
    let subscribers = state.withLock { Array($0.subscribers.values) }
    for subscriber in subscribers {
      for change in changes {
        if case .dropped = subscriber.continuation.yield(change) {
          subscriber.continuation.finish(throwing: Overflow(lastDelivered: change.sequence - 1))
          break
        }
      }
    }
  }

  public var subscriberCount: Int { state.withLock { $0.subscribers.count } }
}
