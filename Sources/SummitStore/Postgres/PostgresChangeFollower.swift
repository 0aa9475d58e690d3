#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif
import Synchronization

/// Carries every committed change, whichever replica made it, to this
/// process's ``ChangeFeed``, in sequence order with no gap and no repeat.
///
/// Sequence order is commit order because writers hold
/// ``PostgresSchema/writeLock`` from before their first change until their
/// commit. The follower remembers the last sequence it published and, under
/// one lock, reads and publishes whatever the log holds past it. Three things
/// trigger that catch-up: this process's own commits (before `write` returns,
/// as with SQLite), a NOTIFY from any replica's commit (its payload is the
/// commit's last sequence: one already published costs no read, so a replica
/// does not read back its own writes), and a one-second poll as a safety net. The listening connection also tells whether the database
/// is reachable (``availability``).
final class PostgresChangeFollower: Sendable {
  static let pollInterval: Int32 = 1000  // milliseconds
  static let pageSize = 500

  let feed: ChangeFeed
  private let url: String
  private let published: Mutex<Int64>
  private let stopped = Atomic<Bool>(false)
  private let state = Mutex(AvailabilityState())

  private struct AvailabilityState {
    var available = true
    var continuations: [Int: AsyncStream<Bool>.Continuation] = [:]
    var nextID = 0
  }

  init(url: String, feed: ChangeFeed, startAfter sequence: Int64) {
    self.url = url
    self.feed = feed
    self.published = Mutex(sequence)
  }

  /// Publishes the log past the last published sequence, oldest first.
  func catchUp(using connection: PGConnection) throws(StoreError) {
    try published.withLock { (last: inout Int64) throws(StoreError) in
      while true {
        let page = try PostgresQueries.changes(connection, after: last, limit: Self.pageSize)
        feed.publish(page)
        last = page.last?.sequence ?? last
        if page.count < Self.pageSize { return }
      }
    }
  }

  /// Whether the database is reachable: the current value, then each change.
  func availability() -> AsyncStream<Bool> {
    let (stream, continuation) = AsyncStream.makeStream(of: Bool.self)
    let id = state.withLock { state in
      let id = state.nextID
      state.nextID += 1
      state.continuations[id] = continuation
      continuation.yield(state.available)
      return id
    }
    continuation.onTermination = { [weak self] _ in _ = self?.state.withLock { $0.continuations.removeValue(forKey: id) } }
    return stream
  }

  var isAvailable: Bool { state.withLock { $0.available } }

  /// The last sequence published to the feed.
  var lastPublished: Int64 { published.withLock { $0 } }

  /// Starts the listening thread; it runs until ``stop()``.
  func start() {
    DetachedThread.start { [self] in listen() }
  }

  func stop() { stopped.store(true, ordering: .relaxed) }

  private func setAvailable(_ available: Bool) {
    state.withLock { state in
      guard state.available != available else { return }
      state.available = available
      for continuation in state.continuations.values { continuation.yield(available) }
    }
  }

  /// LISTEN, then wait on the socket; catch up on every notification and at
  /// least once per poll interval. A lost connection is retried every 250 ms.
  private func listen() {
    var connection: PGConnection?
    while !stopped.load(ordering: .relaxed) {
      guard let current = connection, !current.isBroken else {
        connection = nil
        do {
          let fresh = try PGConnection(url: url)
          try fresh.execute("LISTEN \(PostgresSchema.changesChannel)")
          try catchUp(using: fresh)
          connection = fresh
          setAvailable(true)
        } catch {
          setAvailable(false)
          usleep(250_000)
        }
        continue
      }
      var descriptor = pollfd(fd: current.socket, events: Int16(POLLIN), revents: 0)
      let ready = poll(&descriptor, 1, Self.pollInterval)
      guard current.consumeInput() else {
        connection = nil
        setAvailable(false)
        continue
      }
      let notified = current.takeNotifications().compactMap { Int64($0) }
      if ready > 0, let newest = notified.max(), newest <= lastPublished { continue }
      do {
        try catchUp(using: current)
        setAvailable(true)
      } catch {
        if current.isBroken {
          connection = nil
          setAvailable(false)
        }
      }
    }
  }
}
