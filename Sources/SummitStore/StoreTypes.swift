/// The kinds of record Summit keeps.
public enum ResourceCollection: String, Sendable, Hashable, CaseIterable {
  case leaders, visits, allegations
}

/// One stored record: its encoded resource (the protobuf the API serves) and
/// its version, which the service turns into the etag.
public struct StoredResource: Sendable, Hashable {
  public var collection: ResourceCollection
  public var id: String
  public var data: [UInt8]
  public var version: Int64
  /// Position in the collection's list order (with `id` as tie-break).
  public var sortKey: String

  public init(collection: ResourceCollection, id: String, data: [UInt8], version: Int64, sortKey: String) {
    self.collection = collection
    self.id = id
    self.data = data
    self.version = version
    self.sortKey = sortKey
  }
}

/// What the store indexes of a record, so that lists filter and order in
/// SQL without decoding every row.
public struct ResourceIndex: Sendable, Hashable {
  /// List order key (visits: start date; allegations: first reported; leaders: id).
  public var sortKey: String
  /// Equality terms filters match, e.g. `country=RU`, `visitor=leaders/vladimir-putin`.
  public var terms: [String]
  /// Names of other records this one refers to (for reference checks on delete).
  public var references: [String]
  /// First and last day (`YYYY-MM-DD`), for day-range filters.
  public var startDate: String?
  public var endDate: String?

  public init(sortKey: String, terms: [String], references: [String] = [], startDate: String? = nil, endDate: String? = nil) {
    self.sortKey = sortKey
    self.terms = terms
    self.references = references
    self.startDate = startDate
    self.endDate = endDate
  }
}

/// A page of a list: records in (sortKey, id) order after a position.
public struct ListQuery: Sendable, Hashable {
  public var collection: ResourceCollection
  /// Every term must match.
  public var terms: [String] = []
  /// Records with a day on or after `dateFrom` (their end date ≥ it).
  public var dateFrom: String?
  /// Records with a day on or before `dateTo` (their start date ≤ it).
  public var dateTo: String?
  /// Continue after this (sortKey, id); nil from the start.
  public var after: (sortKey: String, id: String)?
  public var limit: Int

  /// The read touches about `limit` index entries whatever the store's
  /// size: a keyset page with at most one term and no date range (a date
  /// range, or a second term, may scan many rows to fill the page). Short
  /// reads of short pages may run on an event loop.
  public var isShortRead: Bool {
    limit <= 101 && terms.count <= 1 && dateFrom == nil && dateTo == nil
  }

  public init(collection: ResourceCollection, limit: Int) {
    self.collection = collection
    self.limit = limit
  }

  public static func == (a: ListQuery, b: ListQuery) -> Bool {
    a.collection == b.collection && a.terms == b.terms && a.dateFrom == b.dateFrom && a.dateTo == b.dateTo
      && a.after?.sortKey == b.after?.sortKey && a.after?.id == b.after?.id && a.limit == b.limit
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(collection)
    hasher.combine(terms)
    hasher.combine(limit)
  }
}

/// What happened to a record, as the change log records it.
public enum ChangeKind: Int, Sendable, Hashable {
  case created = 1, updated = 2, deleted = 3
}

/// One committed change, in the durable, ordered change log.
public struct Change: Sendable, Hashable {
  /// Commit position: increasing, never reused.
  public var sequence: Int64
  public var collection: ResourceCollection
  public var kind: ChangeKind
  public var id: String
  /// The record after the change; for a deletion, as it was.
  public var data: [UInt8]
  /// Milliseconds since 1970.
  public var commitTime: Int64

  public init(sequence: Int64, collection: ResourceCollection, kind: ChangeKind, id: String, data: [UInt8], commitTime: Int64) {
    self.sequence = sequence
    self.collection = collection
    self.kind = kind
    self.id = id
    self.data = data
    self.commitTime = commitTime
  }
}

/// Why the store failed: the service maps these to gRPC codes.
public struct StoreError: Error, Sendable, CustomStringConvertible {
  public enum Kind: Sendable {
    /// The database cannot be written (read-only file, locked, I/O error).
    case unavailable
    /// The disk or database is full.
    case full
    /// Stored data failed to decode or the schema is newer than this binary.
    case corrupt
  }

  public var kind: Kind
  public var message: String

  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  public var description: String { message }
}
