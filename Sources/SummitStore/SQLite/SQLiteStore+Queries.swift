/// The SQL of reads, shared by the store and its write transactions.
extension SQLiteStore {
  static func fetch(_ db: SQLiteConnection, _ collection: ResourceCollection, id: String) throws -> StoredResource? {
    let statement = try db.statement("SELECT id, data, version, sort_key FROM records WHERE collection = ? AND id = ?")
    defer { statement.reset() }
    try statement.bind(collection.rawValue, at: 1)
    try statement.bind(id, at: 2)
    return try statement.step() ? resource(statement, collection) : nil
  }

  /// Rows are selected as `id, data, version, sort_key`.
  static func resource(_ row: SQLiteStatement, _ collection: ResourceCollection) -> StoredResource {
    StoredResource(collection: collection, id: row.text(0), data: row.blob(1), version: row.int64(2), sortKey: row.text(3))
  }

  static func changes(_ db: SQLiteConnection, after: Int64, limit: Int) throws -> [Change] {
    try db.statement(
      "SELECT sequence, collection, kind, id, data, commit_time FROM changes WHERE sequence > ? ORDER BY sequence LIMIT ?"
    ).rows([.integer(after), .integer(limit)]) { row in
      guard let collection = ResourceCollection(rawValue: row.text(1)), let kind = ChangeKind(rawValue: row.int(2)) else {
        return nil
      }
      return Change(
        sequence: row.int64(0), collection: collection, kind: kind, id: row.text(3), data: row.blob(4), commitTime: row.int64(5))
    }.compactMap { $0 }
  }

  /// One page in (sort_key, id) order. With a term filter the scan starts
  /// from the first term's index, which is ordered the same way, so a
  /// selective filter stays fast however large the collection grows.
  static func list(_ db: SQLiteConnection, _ query: ListQuery) throws -> [StoredResource] {
    var conditions: [String] = []
    var arguments: [SQLiteValue] = []
    let from: String
    if let first = query.terms.first {
      from = "record_terms t JOIN records r ON r.collection = t.collection AND r.id = t.id"
      conditions.append("t.collection = ? AND t.term = ?")
      arguments += [.text(query.collection.rawValue), .text(first)]
      if let after = query.after {
        conditions.append("(t.sort_key, t.id) > (?, ?)")
        arguments += [.text(after.sortKey), .text(after.id)]
      }
    } else {
      from = "records r"
      conditions.append("r.collection = ?")
      arguments.append(.text(query.collection.rawValue))
      if let after = query.after {
        conditions.append("(r.sort_key, r.id) > (?, ?)")
        arguments += [.text(after.sortKey), .text(after.id)]
      }
    }
    for term in query.terms.dropFirst() {
      conditions.append("EXISTS (SELECT 1 FROM record_terms x WHERE x.collection = r.collection AND x.id = r.id AND x.term = ?)")
      arguments.append(.text(term))
    }
    if let from = query.dateFrom {
      conditions.append("r.end_date >= ?")
      arguments.append(.text(from))
    }
    if let to = query.dateTo {
      conditions.append("r.start_date <= ?")
      arguments.append(.text(to))
    }
    let order = query.terms.isEmpty ? "r.sort_key, r.id" : "t.sort_key, t.id"
    let sql = "SELECT r.id, r.data, r.version, r.sort_key FROM \(from) WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order) LIMIT ?"
    arguments.append(.integer(query.limit))
    // A handful of shapes (which filters are set), each compiled once per connection.
    return try db.statement(sql).rows(arguments) { resource($0, query.collection) }
  }
}
