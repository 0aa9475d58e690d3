public import SummitAPI
public import SummitCodec
public import SummitRPC
public import SummitStore

/// `summit.v1.AllegationService`.
public struct AllegationServiceImpl: Summit_V1_AllegationServiceProtocol {
  let store: any ResourceStore
  let allegations: ResourceOperations<Summit_V1_Allegation>
  static let maskPolicy = FieldMaskPolicy(
    updatable: ["accusers", "accused", "summary", "category", "first_reported", "sources"],
    outputOnly: ["name", "etag", "create_time", "update_time", "status", "responses"])

  public init(store: any ResourceStore) {
    self.store = store
    allegations = ResourceOperations(store: store, field: "allegation")
  }

  public func getAllegation(request: Summit_V1_GetAllegationRequest, context: ServerContext) async throws
    -> Summit_V1_Allegation
  {
    try await allegations.get(request.name)
  }

  public func listAllegations(request: Summit_V1_ListAllegationsRequest, context: ServerContext) async throws
    -> Summit_V1_ListAllegationsResponse
  {
    var v = Validator()
    var query = ListQuery(collection: .allegations, limit: 0)
    if let accuser = request.accuser {
      Self.validate(accuser, &v, field: "accuser")
      if let term = accuser.term { query.terms.append("accuser=\(term)") }
    }
    if let accused = request.accused {
      Self.validate(accused, &v, field: "accused")
      if let term = accused.term { query.terms.append("accused=\(term)") }
    }
    if request.category.rawValue != 0 {
      v.enumValue(request.category, "category", required: false)
      query.terms.append("category=\(request.category.rawValue)")
    }
    if request.status.rawValue != 0 {
      v.enumValue(request.status, "status", required: false)
      query.terms.append("status=\(request.status.rawValue)")
    }
    try v.check()
    let (page, next) = try await allegations.list(
      query, pageSize: request.pageSize, pageToken: request.pageToken, filter: query.terms.joined(separator: "&"))
    return .with {
      $0.allegations = page
      $0.nextPageToken = next
    }
  }

  public func createAllegation(request: Summit_V1_CreateAllegationRequest, context: ServerContext) async throws
    -> Summit_V1_Allegation
  {
    guard var allegation = request.allegation else { throw ServiceErrors.invalid("allegation", "is required") }
    var v = Validator()
    v.text(request.requestID, "request_id", max: 100)
    let (id, problem) = ResourceNames.requestedID(
      request.allegationID, name: allegation.name, collection: "allegations", nameField: "allegation.name",
      idField: "allegation_id")
    if let problem { v.fail(problem.field, problem.description) }
    Self.validate(allegation, &v, field: "allegation")
    for (i, response) in allegation.responses.enumerated() {
      Self.validate(response, &v, field: "allegation.responses[\(i)]")
    }
    try v.check()
    allegation.status = Self.derivedStatus(allegation)
    let prepared = allegation
    return try await allegations.create(
      prepared, id: id.isEmpty ? ResourceNames.random(prefix: "a") : id, requestID: request.requestID,
      method: "CreateAllegation"
    ) { tx in
      try Self.checkReferences(prepared, tx, field: "allegation")
    }
  }

  public func updateAllegation(request: Summit_V1_UpdateAllegationRequest, context: ServerContext) async throws
    -> Summit_V1_Allegation
  {
    guard let allegation = request.allegation else { throw ServiceErrors.invalid("allegation", "is required") }
    let paths = try Self.maskPolicy.paths(request.updateMask)
    return try await allegations.update(
      allegation.name, etag: allegation.etag, checks: { tx, updated in try Self.checkReferences(updated, tx, field: "allegation") }
    ) { current in
      if paths.contains("accusers") { current.accusers = allegation.accusers }
      if paths.contains("accused") { current.accused = allegation.accused }
      if paths.contains("summary") { current.summary = allegation.summary }
      if paths.contains("category") { current.category = allegation.category }
      if paths.contains("first_reported") { current.firstReported = allegation.firstReported }
      if paths.contains("sources") { current.sources = allegation.sources }
      var v = Validator()
      Self.validate(current, &v, field: "allegation")
      try v.check()
      current.status = Self.derivedStatus(current)
    }
  }

  public func deleteAllegation(request: Summit_V1_DeleteAllegationRequest, context: ServerContext) async throws
    -> Google_Protobuf_Empty
  {
    try await allegations.delete(request.name, etag: request.etag)
    return Google_Protobuf_Empty()
  }

  public func respondToAllegation(request: Summit_V1_RespondToAllegationRequest, context: ServerContext) async throws
    -> Summit_V1_Allegation
  {
    guard let response = request.response else { throw ServiceErrors.invalid("response", "is required") }
    var v = Validator()
    Self.validate(response, &v, field: "response")
    v.text(request.requestID, "request_id", max: 100)
    try v.check()
    return try await allegations.update(
      request.name, etag: request.etag, requestID: request.requestID, method: "RespondToAllegation",
      checks: { tx, _ in
        if case .leader(let leader)? = response.party?.kind {
          try requireExists(tx, leader, collection: .leaders, field: "response.party.leader")
        }
      }
    ) { current in
      current.responses.append(response)
      current.status = Self.derivedStatus(current)
    }
  }

  public func watchAllegations(
    request: Summit_V1_WatchAllegationsRequest, responses: ResponseWriter<Summit_V1_AllegationEvent>, context: ServerContext
  ) async throws {
    if request.afterSequence < 0 { throw ServiceErrors.invalid("after_sequence", "must not be negative") }
    try await ChangeWatcher.watch(
      store: store, collection: .allegations, after: request.afterSequence, established: responses.sendInitialMetadata
    ) { changes in
      try await responses.writeEncoded(contentsOf: changes.map(EncodedEvents.event))
    }
  }

  // MARK: Rules

  /// RETRACTED when an accuser retracted; else CONFIRMED when an accused
  /// party confirmed; else DENIED when one denied; else ALLEGED.
  static func derivedStatus(_ a: Summit_V1_Allegation) -> Summit_V1_AllegationStatus {
    let accusers = Set(a.accusers.compactMap(\.term))
    let accused = Set(a.accused.compactMap(\.term))
    func said(_ stance: Summit_V1_Stance, by parties: Set<String>) -> Bool {
      a.responses.contains { r in r.stance == stance && r.party.flatMap(\.term).map(parties.contains) == true }
    }
    if said(.retract, by: accusers) { return .retracted }
    if said(.confirm, by: accused) { return .confirmed }
    if said(.deny, by: accused) { return .denied }
    return .alleged
  }

  static func validate(_ a: Summit_V1_Allegation, _ v: inout Validator, field: String) {
    if a.accusers.isEmpty { v.fail("\(field).accusers", "needs at least one party") }
    if a.accused.isEmpty { v.fail("\(field).accused", "needs at least one party") }
    if a.accusers.count > 20 { v.fail("\(field).accusers", "has more than 20 parties") }
    if a.accused.count > 20 { v.fail("\(field).accused", "has more than 20 parties") }
    for (i, p) in a.accusers.enumerated() { validate(p, &v, field: "\(field).accusers[\(i)]") }
    for (i, p) in a.accused.enumerated() { validate(p, &v, field: "\(field).accused[\(i)]") }
    v.required(a.summary, "\(field).summary")
    v.text(a.summary, "\(field).summary", max: 2000, multiline: true)
    v.enumValue(a.category, "\(field).category")
    v.date(a.firstReported, "\(field).first_reported", required: false)
    v.sources(a.sources, "\(field).sources")
  }

  static func validate(_ party: Summit_V1_Party, _ v: inout Validator, field: String) {
    switch party.kind {
    case .leader(let name)?:
      if ResourceNames.id(of: name, collection: "leaders") == nil {
        v.fail("\(field).leader", "\"\(name)\" is not a leaders/{id} name")
      }
    case .country(let code)?:
      v.country(code, "\(field).country")
    case .group(let group)?:
      v.required(group, "\(field).group")
      v.text(group, "\(field).group", max: 200)
    case nil:
      v.fail(field, "must name a leader, a country or a group")
    }
  }

  static func validate(_ r: Summit_V1_AllegationResponse, _ v: inout Validator, field: String) {
    if let party = r.party { validate(party, &v, field: "\(field).party") } else { v.fail("\(field).party", "is required") }
    v.enumValue(r.stance, "\(field).stance")
    v.text(r.statement, "\(field).statement", max: 2000, multiline: true)
    v.date(r.date, "\(field).date", required: false)
    v.sources(r.sources, "\(field).sources")
  }

  static func checkReferences(_ a: Summit_V1_Allegation, _ tx: any WriteTransaction, field: String) throws {
    let parties: [(Summit_V1_Party, String)] =
      a.accusers.enumerated().map { ($1, "\(field).accusers[\($0)]") }
      + a.accused.enumerated().map { ($1, "\(field).accused[\($0)]") }
      + a.responses.enumerated().compactMap { i, r in r.party.map { ($0, "\(field).responses[\(i)].party") } }
    for (party, path) in parties {
      if case .leader(let name)? = party.kind { try requireExists(tx, name, collection: .leaders, field: "\(path).leader") }
    }
  }
}
