/// Where Summit's records live: ``SQLiteStore`` (embedded, the default) or
/// ``PostgresStore`` (shared by several replicas), with the same semantics.
///
/// Reads are plain calls. Writes go through ``write(_:)``: the body runs in
/// one transaction, sees its own writes, and every change it makes is in the
/// change log, in commit order, once the call returns.
public protocol ResourceStore: Sendable {
  func get(_ collection: ResourceCollection, id: String) async throws -> StoredResource?
  func list(_ query: ListQuery) async throws -> [StoredResource]
  func count(_ collection: ResourceCollection) async throws -> Int

  /// Runs `body` in a write transaction; commits when it returns, rolls
  /// back when it throws. Returns once the commit is durable.
  func write<T: Sendable>(_ body: @escaping @Sendable (any WriteTransaction) throws -> T) async throws -> T

  /// Changes with a sequence above `after`, oldest first, at most `limit`.
  func changes(after: Int64, limit: Int) async throws -> [Change]

  /// Live committed changes, for watchers.
  var feed: ChangeFeed { get }
}

/// The operations of one write transaction.
public protocol WriteTransaction {
  func get(_ collection: ResourceCollection, id: String) throws -> StoredResource?
  /// Inserts a new record at version 1; false if the id is taken.
  func insert(_ collection: ResourceCollection, id: String, data: [UInt8], index: ResourceIndex) throws -> Bool
  /// Replaces a record, bumping its version; returns the new version.
  func replace(_ collection: ResourceCollection, id: String, data: [UInt8], index: ResourceIndex) throws -> Int64
  func delete(_ collection: ResourceCollection, id: String) throws
  /// Ids of records in `collection` whose index lists `name` as a reference.
  func referrers(of name: String, in collection: ResourceCollection) throws -> [String]
  /// Appends to the change log (and, after commit, to the live feed).
  func recordChange(_ kind: ChangeKind, _ collection: ResourceCollection, id: String, data: [UInt8]) throws
  /// The response stored for an idempotent request, if it was seen.
  func idempotentResponse(method: String, requestID: String) throws -> [UInt8]?
  func storeIdempotentResponse(method: String, requestID: String, response: [UInt8]) throws
}

/// A store whose point reads finish in microseconds and never wait on a
/// network (the embedded SQLite store): they may run synchronously on the
/// thread that read the request (`RPCHandler.immediate`).
public protocol ImmediateReads: ResourceStore {
  /// ``ResourceStore/get(_:id:)``, on the calling thread.
  func getImmediately(_ collection: ResourceCollection, id: String) throws -> StoredResource?
  /// ``ResourceStore/list(_:)``, on the calling thread: for short reads
  /// (``ListQuery/isShortRead``).
  func listImmediately(_ query: ListQuery) throws -> [StoredResource]
  /// A number that changes whenever a committed write changes what reads
  /// return, and has changed before that write's call returns: an answer
  /// computed while it stayed the same may be served again until it moves.
  var generation: UInt64 { get }
}
