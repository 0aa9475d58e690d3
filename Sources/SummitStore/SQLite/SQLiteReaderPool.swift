import Dispatch
import Synchronization

/// Read-only connections to one database, checked out one caller at a time.
///
/// In WAL mode readers never wait for the writer or each other, so any
/// number could run at once; ``capacity`` bounds how many are open (each
/// keeps a page cache) and makes a caller past it wait for one to come back.
/// Connections are opened on first need and kept: a point read on an event
/// loop pays for a lock and a pop, not an open or a thread hop.
final class SQLiteReaderPool: Sendable {
  let capacity: Int
  private let path: String
  private let idle = Mutex<[SQLiteConnection]>([])
  private let slots: DispatchSemaphore

  init(path: String, capacity: Int) {
    self.path = path
    self.capacity = capacity
    self.slots = DispatchSemaphore(value: capacity)
  }

  /// Runs `body` with a reader to itself, then returns the reader to the pool.
  func withReader<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
    slots.wait()
    defer { slots.signal() }
    let reader = try idle.withLock { $0.popLast() } ?? Self.open(path)
    defer { idle.withLock { $0.append(reader) } }
    return try body(reader)
  }

  private static func open(_ path: String) throws(SQLiteError) -> SQLiteConnection {
    let reader = try SQLiteConnection(path: path, readOnly: true)
    try reader.execute("PRAGMA query_only = ON")
    return reader
  }
}
