/// The SQL of reads, shared by the store, its write transactions and the
/// change follower. Same statements as the SQLite store's, in `$n` form.
enum PostgresQueries {
  static func fetch(_ connection: PGConnection, _ collection: ResourceCollection, id: String) throws(StoreError)
    -> StoredResource?
  {
    let rows = try connection.execute(
      "SELECT id, data, version, sort_key FROM records WHERE collection = $1 AND id = $2",
      [.text(collection.rawValue), .text(id)])
    return rows.count == 1 ? resource(rows, 0, collection) : nil
  }

  static func count(_ connection: PGConnection, _ collection: ResourceCollection) throws(StoreError) -> Int {
    Int(try connection.execute("SELECT count(*) FROM records WHERE collection = $1", [.text(collection.rawValue)]).int(0, 0))
  }

  static func changes(_ connection: PGConnection, after: Int64, limit: Int) throws(StoreError) -> [Change] {
    let rows = try connection.execute(
      "SELECT sequence, collection, kind, id, data, commit_time FROM changes WHERE sequence > $1 ORDER BY sequence LIMIT $2",
      [.int(after), .int(Int64(limit))])
    return (0..<rows.count).compactMap { r in
      guard let collection = ResourceCollection(rawValue: rows.text(r, 1)), let kind = ChangeKind(rawValue: Int(rows.int(r, 2)))
      else { return nil }
      return Change(
        sequence: rows.int(r, 0), collection: collection, kind: kind, id: rows.text(r, 3), data: rows.bytes(r, 4),
        commitTime: rows.int(r, 5))
    }
  }

  /// One page in (sort_key, id) order, starting from the first term's index
  /// when there is a term filter (see ``SQLiteStore/list(_:_:)``).
  static func list(_ connection: PGConnection, _ query: ListQuery) throws(StoreError) -> [StoredResource] {
    var conditions: [String] = []
    var parameters: [PGValue] = []
    func parameter(_ value: PGValue) -> String {
      parameters.append(value)
      return "$\(parameters.count)"
    }
    let from: String
    let order: String
    if let first = query.terms.first {
      from = "record_terms t JOIN records r ON r.collection = t.collection AND r.id = t.id"
      order = "t.sort_key, t.id"
      conditions.append("t.collection = \(parameter(.text(query.collection.rawValue))) AND t.term = \(parameter(.text(first)))")
    } else {
      from = "records r"
      order = "r.sort_key, r.id"
      conditions.append("r.collection = \(parameter(.text(query.collection.rawValue)))")
    }
    if let after = query.after {
      conditions.append("(\(order)) > (\(parameter(.text(after.sortKey))), \(parameter(.text(after.id))))")
    }
    for term in query.terms.dropFirst() {
      conditions.append(
        "EXISTS (SELECT 1 FROM record_terms x WHERE x.collection = r.collection AND x.id = r.id AND x.term = \(parameter(.text(term))))")
    }
    if let from = query.dateFrom { conditions.append("r.end_date >= \(parameter(.text(from)))") }
    if let to = query.dateTo { conditions.append("r.start_date <= \(parameter(.text(to)))") }
    let limit = parameter(.int(Int64(query.limit)))
    let rows = try connection.execute(
      "SELECT r.id, r.data, r.version, r.sort_key FROM \(from) WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order) LIMIT \(limit)",
      parameters)
    return (0..<rows.count).map { resource(rows, $0, query.collection) }
  }

  private static func resource(_ rows: PGRows, _ r: Int, _ collection: ResourceCollection) -> StoredResource {
    StoredResource(
      collection: collection, id: rows.text(r, 0), data: rows.bytes(r, 1), version: rows.int(r, 2), sortKey: rows.text(r, 3))
  }
}
