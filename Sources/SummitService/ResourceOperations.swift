import SummitCodec
import SummitRPC
import SummitStore

/// The standard methods (AIP-131 to 135) for one resource type over the
/// store: names, etags, times, idempotent creates, keyset pages.
struct ResourceOperations<Resource: SummitResource>: Sendable {
  let store: any ResourceStore
  /// The request field holding the resource, e.g. `leader`, for error paths.
  let field: String

  func id(from name: String, field: String = "name") throws -> String {
    guard let id = ResourceNames.id(of: name, collection: Resource.collection.rawValue) else {
      throw ServiceErrors.invalid(field, "\"\(name)\" is not a \(Resource.namePrefix){id} name")
    }
    return id
  }

  func get(_ name: String) async throws -> Resource {
    let id = try id(from: name)
    guard let stored = try await storeCall({ try await store.get(Resource.collection, id: id) }) else {
      throw ServiceErrors.notFound(name)
    }
    return try Resource.from(stored)
  }

  /// The resource's bytes as ``get(_:)`` would encode them, built from the
  /// stored bytes with the etag put back (`EncodedPages`): no decode and
  /// encode of the message on a point read.
  func getEncoded(_ name: String) async throws -> [UInt8] {
    let id = try id(from: name)
    return try served(name, try await storeCall({ try await store.get(Resource.collection, id: id) }))
  }

  /// ``getEncoded(_:)`` on the calling thread, for a store whose point
  /// reads are immediate.
  func getEncodedImmediately(_ name: String, reads: any ImmediateReads) throws -> [UInt8] {
    let id = try id(from: name)
    return try served(name, try storeCallNow({ try reads.getImmediately(Resource.collection, id: id) }))
  }

  /// The served bytes of `stored`: its message with the etag put back.
  private func served(_ name: String, _ stored: StoredResource?) throws -> [UInt8] {
    guard let stored else { throw ServiceErrors.notFound(name) }
    do {
      return try EncodedPages.inserting(
        field: Resource.etagField, value: Array(Etags.etag(version: stored.version).utf8), into: stored.data)
    } catch {
      throw StoreError(.corrupt, "stored \(stored.collection.rawValue)/\(stored.id) is not a well-formed message")
    }
  }

  /// One page; `filter` fingerprints the query so tokens cannot cross queries.
  func list(_ query: ListQuery, pageSize: Int32, pageToken: String, filter: String) async throws -> ([Resource], String) {
    let (page, next) = try await listStored(query, pageSize: pageSize, pageToken: pageToken, filter: filter)
    return (try page.map(Resource.from), next)
  }

  /// One page of stored records, and the token of the next.
  func listStored(_ query: ListQuery, pageSize: Int32, pageToken: String, filter: String) async throws
    -> (ArraySlice<StoredResource>, String)
  {
    let query = try pageQuery(query, pageSize: pageSize, pageToken: pageToken, filter: filter)
    let records = try await storeCall { [store, query] in
      // Called on an event loop (ListVisits prefers one: QuickMethods), a
      // read that may scan at length moves to the global executor for its
      // duration, so that it never holds up the loop's other connections.
      guard !query.isShortRead else { return try await store.list(query) }
      return try await withTaskExecutorPreference(globalConcurrentExecutor) { try await store.list(query) }
    }
    return page(of: records, query, filter: filter)
  }

  /// ``listStored(_:pageSize:pageToken:filter:)`` on the calling thread, for
  /// a store whose reads are immediate; nil when the read is not short
  /// (``ListQuery/isShortRead``), which must not run on an event loop.
  func listStoredImmediately(
    _ query: ListQuery, pageSize: Int32, pageToken: String, filter: String, reads: any ImmediateReads
  ) throws -> (ArraySlice<StoredResource>, String)? {
    let query = try pageQuery(query, pageSize: pageSize, pageToken: pageToken, filter: filter)
    guard query.isShortRead else { return nil }
    return page(of: try storeCallNow { try reads.listImmediately(query) }, query, filter: filter)
  }

  /// `query` for one page: one record more than the page, to learn whether
  /// another follows, after the token's position.
  private func pageQuery(_ query: ListQuery, pageSize: Int32, pageToken: String, filter: String) throws -> ListQuery {
    var query = query
    query.limit = try PageSize.resolve(pageSize) + 1
    if !pageToken.isEmpty {
      guard let token = PageToken.decode(pageToken) else { throw ServiceErrors.invalid("page_token", "is not a token this service issued") }
      guard token.filter == filter else {
        throw ServiceErrors.invalid("page_token", "was issued for a different filter; start again without a token")
      }
      query.after = (token.sortKey, token.id)
    }
    return query
  }

  /// The page in `records` (read with ``pageQuery(_:pageSize:pageToken:filter:)``),
  /// and the next page's token, empty after the last.
  private func page(of records: [StoredResource], _ query: ListQuery, filter: String) -> (ArraySlice<StoredResource>, String) {
    let page = records.prefix(query.limit - 1)
    var next = ""
    if records.count == query.limit, let last = page.last {
      next = PageToken(filter: filter, sortKey: last.sortKey, id: last.id).encoded()
    }
    return (page, next)
  }

  /// Creates `resource` under `id`, or returns the first result of an
  /// earlier create with the same `requestID`. `checks` runs inside the
  /// transaction (reference checks see a consistent store).
  func create(
    _ resource: Resource, id: String, requestID: String, method: String,
    checks: @escaping @Sendable (any WriteTransaction) throws -> Void = { _ in }
  ) async throws -> Resource {
    var resource = resource
    let now = Clock.now()
    resource.name = Resource.name(id: id)
    resource.createTime = now
    resource.updateTime = now
    resource.etag = ""
    let prepared = resource
    let bytes = try await storeCall {
      try await store.write { tx -> [UInt8] in
        if !requestID.isEmpty, let first = try tx.idempotentResponse(method: method, requestID: requestID) {
          return first
        }
        try checks(tx)
        let data = prepared.storedBytes
        guard try tx.insert(Resource.collection, id: id, data: data, index: prepared.storeIndex) else {
          throw ServiceErrors.alreadyExists(prepared.name)
        }
        var created = prepared
        created.etag = Etags.etag(version: 1)
        let response = created.serializedBytes()
        try tx.recordChange(.created, Resource.collection, id: id, data: response)
        if !requestID.isEmpty { try tx.storeIdempotentResponse(method: method, requestID: requestID, response: response) }
        return response
      }
    }
    return try Resource(serializedBytes: bytes)
  }

  /// Reads the current record, lets `change` edit it, writes it back at the
  /// next version; `etag`, when not empty, must match the current one.
  func update(
    _ name: String, etag: String, requestID: String = "", method: String = "",
    checks: @escaping @Sendable (any WriteTransaction, Resource) throws -> Void = { _, _ in },
    change: @escaping @Sendable (inout Resource) throws -> Void
  ) async throws -> Resource {
    let id = try id(from: name, field: "\(field).name")
    let bytes = try await storeCall {
      try await store.write { tx -> [UInt8] in
        if !requestID.isEmpty, let first = try tx.idempotentResponse(method: method, requestID: requestID) {
          return first
        }
        guard let stored = try tx.get(Resource.collection, id: id) else { throw ServiceErrors.notFound(name) }
        var current = try Resource.from(stored)
        if !etag.isEmpty && etag != current.etag { throw ServiceErrors.etagMismatch(name, current: current.etag) }
        try change(&current)
        current.name = name
        current.updateTime = Clock.now()
        try checks(tx, current)
        let version = try tx.replace(Resource.collection, id: id, data: current.storedBytes, index: current.storeIndex)
        current.etag = Etags.etag(version: version)
        let response = current.serializedBytes()
        try tx.recordChange(.updated, Resource.collection, id: id, data: response)
        if !requestID.isEmpty { try tx.storeIdempotentResponse(method: method, requestID: requestID, response: response) }
        return response
      }
    }
    return try Resource(serializedBytes: bytes)
  }

  /// Deletes the named record; `before` runs first in the same transaction
  /// (reference checks, cascades).
  func delete(
    _ name: String, etag: String, before: @escaping @Sendable (any WriteTransaction, Resource) throws -> Void = { _, _ in }
  ) async throws {
    let id = try id(from: name)
    try await storeCall {
      try await store.write { tx in
        guard let stored = try tx.get(Resource.collection, id: id) else { throw ServiceErrors.notFound(name) }
        let current = try Resource.from(stored)
        if !etag.isEmpty && etag != current.etag { throw ServiceErrors.etagMismatch(name, current: current.etag) }
        try before(tx, current)
        try tx.delete(Resource.collection, id: id)
        try tx.recordChange(.deleted, Resource.collection, id: id, data: current.serializedBytes())
      }
    }
  }
}

/// Checks, inside a transaction, that a referenced record exists.
func requireExists(_ tx: any WriteTransaction, _ name: String, collection: ResourceCollection, field: String) throws {
  guard let id = ResourceNames.id(of: name, collection: collection.rawValue) else {
    throw ServiceErrors.invalid(field, "\"\(name)\" is not a \(collection.rawValue)/{id} name")
  }
  guard try tx.get(collection, id: id) != nil else { throw ServiceErrors.referenceNotFound(field: field, name: name) }
}
