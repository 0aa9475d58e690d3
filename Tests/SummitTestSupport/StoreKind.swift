import Foundation
public import SummitStore
public import Testing

/// Both stores, one protocol: SQLite on a real file in a temporary folder,
/// PostgreSQL on a fresh database of a real server (``ScratchPostgres``).
/// Tests take it as an argument to run once against each.
public enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
  case sqlite, postgres
  public var testDescription: String { rawValue }

  /// A new, empty store of this kind.
  public func open() throws -> any ResourceStore {
    switch self {
    case .sqlite:
      return try SQLiteStore(path: NSTemporaryDirectory() + "summit-store-\(UUID().uuidString)/s.db")
    case .postgres:
      if let reason = ScratchPostgres.unavailableReason { throw SkipPostgres(reason: reason) }
      return try PostgresStore(url: ScratchPostgres.freshDatabase())
    }
  }
}

/// Thrown instead of a PostgreSQL store where no server can run: the test
/// fails naming the reason (never a silent pass).
public struct SkipPostgres: Error, CustomStringConvertible {
  public var reason: String
  public var description: String { "PostgreSQL store tests cannot run: \(reason)" }
}
