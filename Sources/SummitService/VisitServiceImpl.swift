public import SummitAPI
public import SummitCodec
public import SummitRPC
public import SummitStore

/// `summit.v1.VisitService`.
public struct VisitServiceImpl: Summit_V1_VisitServiceProtocol {
  let store: any ResourceStore
  let visits: ResourceOperations<Summit_V1_Visit>
  static let maskPolicy = FieldMaskPolicy(
    updatable: [
      "visitor", "host_country", "host_leader", "cities", "start_date", "end_date", "kind", "event", "purpose", "sites",
      "reciprocates", "sources",
    ],
    outputOnly: ["name", "etag", "create_time", "update_time"])

  public init(store: any ResourceStore) {
    self.store = store
    visits = ResourceOperations(store: store, field: "visit")
  }

  public func getVisit(request: Summit_V1_GetVisitRequest, context: ServerContext) async throws -> Summit_V1_Visit {
    try await visits.get(request.name)
  }

  public func listVisits(request: Summit_V1_ListVisitsRequest, context: ServerContext) async throws
    -> Summit_V1_ListVisitsResponse
  {
    try Summit_V1_ListVisitsResponse(serializedBytes: try await listVisitsEncoded(request: request))
  }

  /// `ListVisits`' response, encoded: built from the stored bytes (see
  /// ``EncodedPages``); what the server sends.
  func listVisitsEncoded(request: Summit_V1_ListVisitsRequest) async throws -> [UInt8] {
    let (query, filter) = try Self.listQuery(request)
    let (page, next) = try await visits.listStored(query, pageSize: request.pageSize, pageToken: request.pageToken, filter: filter)
    return try Self.encodedPage(page, next: next)
  }

  /// ``listVisitsEncoded(request:)`` on the calling thread when its read is
  /// short (``ListQuery/isShortRead``); nil when it is not.
  func listVisitsEncodedImmediately(request: Summit_V1_ListVisitsRequest, reads: any ImmediateReads) throws -> [UInt8]? {
    let (query, filter) = try Self.listQuery(request)
    guard
      let (page, next) = try visits.listStoredImmediately(
        query, pageSize: request.pageSize, pageToken: request.pageToken, filter: filter, reads: reads)
    else { return nil }
    return try Self.encodedPage(page, next: next)
  }

  /// `Visit.etag`'s field number; `ListVisitsResponse` holds visits in 1 and the token in 2.
  static let etagField = 14

  /// The `ListVisitsResponse` of `page` and the next page's token, encoded.
  private static func encodedPage(_ page: ArraySlice<StoredResource>, next: String) throws -> [UInt8] {
    try EncodedPages.page(page, etagField: etagField, elementField: 1, nextPageToken: next, tokenField: 2)
  }

  /// The store query and the filter fingerprint of a `ListVisits` request.
  static func listQuery(_ request: Summit_V1_ListVisitsRequest) throws -> (ListQuery, String) {
    var v = Validator()
    var query = ListQuery(collection: .visits, limit: 0)
    if !request.visitor.isEmpty {
      if ResourceNames.id(of: request.visitor, collection: "leaders") == nil {
        v.fail("visitor", "\"\(request.visitor)\" is not a leaders/{id} name")
      }
      query.terms.append("visitor=\(request.visitor)")
    }
    if !request.hostCountry.isEmpty {
      v.country(request.hostCountry, "host_country")
      query.terms.append("host_country=\(request.hostCountry)")
    }
    if request.kind.rawValue != 0 {
      v.enumValue(request.kind, "kind", required: false)
      query.terms.append("kind=\(request.kind.rawValue)")
    }
    v.date(request.dateFrom, "date_from", required: false)
    v.date(request.dateTo, "date_to", required: false)
    if let from = request.dateFrom, let to = request.dateTo, CivilDates.isBefore(to, from) {
      v.fail("date_to", "is before date_from")
    }
    try v.check()
    query.dateFrom = request.dateFrom.map(CivilDates.text)
    query.dateTo = request.dateTo.map(CivilDates.text)
    let filter = query.terms.joined(separator: "&") + "|\(query.dateFrom ?? "")|\(query.dateTo ?? "")"
    return (query, filter)
  }

  public func createVisit(request: Summit_V1_CreateVisitRequest, context: ServerContext) async throws -> Summit_V1_Visit {
    guard let visit = request.visit else { throw ServiceErrors.invalid("visit", "is required") }
    var v = Validator()
    v.text(request.requestID, "request_id", max: 100)
    let id = try Self.id(for: visit, requested: request.visitID, field: "visit", idField: "visit_id", &v)
    Self.validate(visit, &v, field: "visit")
    try v.check()
    return try await visits.create(visit, id: id, requestID: request.requestID, method: "CreateVisit") { tx in
      try Self.checkReferences(visit, tx, field: "visit", selfID: id)
    }
  }

  public func updateVisit(request: Summit_V1_UpdateVisitRequest, context: ServerContext) async throws -> Summit_V1_Visit {
    guard let visit = request.visit else { throw ServiceErrors.invalid("visit", "is required") }
    let paths = try Self.maskPolicy.paths(request.updateMask)
    let id = try visits.id(from: visit.name, field: "visit.name")
    return try await visits.update(
      visit.name, etag: visit.etag, checks: { tx, updated in try Self.checkReferences(updated, tx, field: "visit", selfID: id) }
    ) { current in
      if paths.contains("visitor") { current.visitor = visit.visitor }
      if paths.contains("host_country") { current.hostCountry = visit.hostCountry }
      if paths.contains("host_leader") { current.hostLeader = visit.hostLeader }
      if paths.contains("cities") { current.cities = visit.cities }
      if paths.contains("start_date") { current.startDate = visit.startDate }
      if paths.contains("end_date") { current.endDate = visit.endDate }
      if paths.contains("kind") { current.kind = visit.kind }
      if paths.contains("event") { current.event = visit.event }
      if paths.contains("purpose") { current.purpose = visit.purpose }
      if paths.contains("sites") { current.sites = visit.sites }
      if paths.contains("reciprocates") { current.reciprocates = visit.reciprocates }
      if paths.contains("sources") { current.sources = visit.sources }
      var v = Validator()
      Self.validate(current, &v, field: "visit")
      try v.check()
    }
  }

  public func deleteVisit(request: Summit_V1_DeleteVisitRequest, context: ServerContext) async throws -> Google_Protobuf_Empty {
    try await visits.delete(request.name, etag: request.etag) { tx, visit in
      // Another visit reciprocating this one keeps its record without the link.
      for id in try tx.referrers(of: visit.name, in: .visits) {
        guard let stored = try tx.get(.visits, id: id) else { continue }
        var other = try Summit_V1_Visit.from(stored)
        other.reciprocates = ""
        other.updateTime = Clock.now()
        let version = try tx.replace(.visits, id: id, data: other.storedBytes, index: other.storeIndex)
        other.etag = Etags.etag(version: version)
        try tx.recordChange(.updated, .visits, id: id, data: other.serializedBytes())
      }
    }
    return Google_Protobuf_Empty()
  }

  public func watchVisits(
    request: Summit_V1_WatchVisitsRequest, responses: ResponseWriter<Summit_V1_VisitEvent>, context: ServerContext
  ) async throws {
    if !request.visitor.isEmpty && ResourceNames.id(of: request.visitor, collection: "leaders") == nil {
      throw ServiceErrors.invalid("visitor", "\"\(request.visitor)\" is not a leaders/{id} name")
    }
    if request.afterSequence < 0 { throw ServiceErrors.invalid("after_sequence", "must not be negative") }
    try await ChangeWatcher.watch(
      store: store, collection: .visits, after: request.afterSequence, established: responses.sendInitialMetadata
    ) { changes in
      // Events from the stored bytes (EncodedEvents); `visitor` is Visit's field 2.
      let events = try changes.compactMap { change -> [UInt8]? in
        if !request.visitor.isEmpty {
          guard let visitor = EncodedEvents.stringField(2, in: change.data) else {
            throw StoreError(.corrupt, "change \(change.sequence) does not hold a well-formed visit")
          }
          guard visitor == request.visitor else { return nil }
        }
        return EncodedEvents.event(change)
      }
      if !events.isEmpty { try await responses.writeEncoded(contentsOf: events) }
    }
  }

  public func importVisits(requests: RequestStream<Summit_V1_ImportVisitsRequest>, context: ServerContext) async throws
    -> Summit_V1_ImportVisitsResponse
  {
    var response = Summit_V1_ImportVisitsResponse()
    var index: Int32 = 0
    for try await request in requests {
      defer { index += 1 }
      do {
        let created = try await createVisit(
          request: .with {
            $0.visit = request.visit ?? Summit_V1_Visit()
            $0.visitID = request.visitID
          }, context: context)
        response.created.append(created.name)
        response.createdCount += 1
      } catch let error as RPCError {
        let failureIndex = index
        response.failures.append(
          .with {
            $0.index = failureIndex
            $0.status = error.statusProto
          })
      }
    }
    return response
  }

  // MARK: Rules

  static func id(
    for visit: Summit_V1_Visit, requested: String, field: String, idField: String, _ v: inout Validator
  ) throws -> String {
    let (id, problem) = ResourceNames.requestedID(
      requested, name: visit.name, collection: "visits", nameField: "\(field).name", idField: idField)
    if let problem {
      v.fail(problem.field, problem.description)
      return id
    }
    return id.isEmpty ? ResourceNames.random(prefix: "v") : id
  }

  static func validate(_ visit: Summit_V1_Visit, _ v: inout Validator, field: String) {
    if visit.visitor.isEmpty {
      v.fail("\(field).visitor", "is required")
    } else if ResourceNames.id(of: visit.visitor, collection: "leaders") == nil {
      v.fail("\(field).visitor", "\"\(visit.visitor)\" is not a leaders/{id} name")
    }
    if !visit.hostLeader.isEmpty && ResourceNames.id(of: visit.hostLeader, collection: "leaders") == nil {
      v.fail("\(field).host_leader", "\"\(visit.hostLeader)\" is not a leaders/{id} name")
    }
    if !visit.reciprocates.isEmpty && ResourceNames.id(of: visit.reciprocates, collection: "visits") == nil {
      v.fail("\(field).reciprocates", "\"\(visit.reciprocates)\" is not a visits/{id} name")
    }
    v.country(visit.hostCountry, "\(field).host_country")
    v.date(visit.startDate, "\(field).start_date", required: true)
    v.date(visit.endDate, "\(field).end_date", required: true)
    if let start = visit.startDate, let end = visit.endDate, CivilDates.isValid(start), CivilDates.isValid(end),
      CivilDates.isBefore(end, start)
    {
      v.fail("\(field).end_date", "\(CivilDates.text(end)) is before start_date \(CivilDates.text(start))")
    }
    v.enumValue(visit.kind, "\(field).kind")
    v.texts(visit.cities, "\(field).cities", maxCount: 50, maxLength: 200)
    v.texts(visit.sites, "\(field).sites", maxCount: 50, maxLength: 300)
    v.text(visit.event, "\(field).event", max: 300)
    v.text(visit.purpose, "\(field).purpose", max: 2000, multiline: true)
    v.sources(visit.sources, "\(field).sources")
  }

  static func checkReferences(_ visit: Summit_V1_Visit, _ tx: any WriteTransaction, field: String, selfID: String) throws {
    try requireExists(tx, visit.visitor, collection: .leaders, field: "\(field).visitor")
    if !visit.hostLeader.isEmpty { try requireExists(tx, visit.hostLeader, collection: .leaders, field: "\(field).host_leader") }
    if !visit.reciprocates.isEmpty {
      if visit.reciprocates == "visits/\(selfID)" {
        throw ServiceErrors.invalid("\(field).reciprocates", "a visit cannot reciprocate itself")
      }
      try requireExists(tx, visit.reciprocates, collection: .visits, field: "\(field).reciprocates")
    }
  }
}
