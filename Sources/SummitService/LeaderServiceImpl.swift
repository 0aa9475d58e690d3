public import SummitAPI
public import SummitCodec
public import SummitRPC
public import SummitStore

/// `summit.v1.LeaderService`.
public struct LeaderServiceImpl: Summit_V1_LeaderServiceProtocol {
  let store: any ResourceStore
  let leaders: ResourceOperations<Summit_V1_Leader>
  let directory: LeaderDirectory
  static let maskPolicy = FieldMaskPolicy(
    updatable: ["display_name", "title", "country", "aliases", "sources"],
    outputOnly: ["name", "etag", "create_time", "update_time"])

  public init(store: any ResourceStore) {
    self.store = store
    leaders = ResourceOperations(store: store, field: "leader")
    directory = LeaderDirectory(store: store)
  }

  public func getLeader(request: Summit_V1_GetLeaderRequest, context: ServerContext) async throws -> Summit_V1_Leader {
    try await leaders.get(request.name)
  }

  public func listLeaders(request: Summit_V1_ListLeadersRequest, context: ServerContext) async throws
    -> Summit_V1_ListLeadersResponse
  {
    var query = ListQuery(collection: .leaders, limit: 0)
    if !request.country.isEmpty {
      var v = Validator()
      v.country(request.country, "country")
      try v.check()
      query.terms = ["country=\(request.country)"]
    }
    let (page, next) = try await leaders.list(
      query, pageSize: request.pageSize, pageToken: request.pageToken, filter: "country=\(request.country)")
    return .with {
      $0.leaders = page
      $0.nextPageToken = next
    }
  }

  public func createLeader(request: Summit_V1_CreateLeaderRequest, context: ServerContext) async throws -> Summit_V1_Leader {
    guard let leader = request.leader else { throw ServiceErrors.invalid("leader", "is required") }
    var v = Validator()
    Self.validate(leader, &v, field: "leader")
    v.text(request.requestID, "request_id", max: 100)
    let (id, problem) = ResourceNames.requestedID(
      request.leaderID, name: leader.name, collection: "leaders", nameField: "leader.name", idField: "leader_id")
    if let problem {
      // A name that is not a leader's name is reported on its own.
      if problem.field == "leader.name" { throw ServiceErrors.invalid([problem]) }
      v.fail(problem.field, problem.description)
    }
    try v.check()
    if !id.isEmpty {
      return try await leaders.create(leader, id: id, requestID: request.requestID, method: "CreateLeader")
    }
    // A slug of the display name, numbered when taken.
    let base = ResourceNames.slug(leader.displayName, fallback: ResourceNames.random(prefix: "l"))
    for attempt in 1...20 {
      let candidate = attempt == 1 ? base : "\(base)-\(attempt)"
      do {
        return try await leaders.create(leader, id: candidate, requestID: request.requestID, method: "CreateLeader")
      } catch let error as RPCError where error.code == .alreadyExists {
        continue
      }
    }
    return try await leaders.create(
      leader, id: ResourceNames.random(prefix: "l"), requestID: request.requestID, method: "CreateLeader")
  }

  public func updateLeader(request: Summit_V1_UpdateLeaderRequest, context: ServerContext) async throws -> Summit_V1_Leader {
    guard let leader = request.leader else { throw ServiceErrors.invalid("leader", "is required") }
    let paths = try Self.maskPolicy.paths(request.updateMask)
    return try await leaders.update(leader.name, etag: leader.etag) { current in
      if paths.contains("display_name") { current.displayName = leader.displayName }
      if paths.contains("title") { current.title = leader.title }
      if paths.contains("country") { current.country = leader.country }
      if paths.contains("aliases") { current.aliases = leader.aliases }
      if paths.contains("sources") { current.sources = leader.sources }
      var v = Validator()
      Self.validate(current, &v, field: "leader")
      try v.check()
    }
  }

  public func deleteLeader(request: Summit_V1_DeleteLeaderRequest, context: ServerContext) async throws
    -> Google_Protobuf_Empty
  {
    let force = request.force
    try await leaders.delete(request.name, etag: request.etag) { tx, leader in
      let allegations = try tx.referrers(of: leader.name, in: .allegations)
      let visits = try tx.referrers(of: leader.name, in: .visits)
      guard force || (visits.isEmpty && allegations.isEmpty) else {
        throw ServiceErrors.inUse(leader.name, by: visits.map { "visits/\($0)" } + allegations.map { "allegations/\($0)" })
      }
      if !allegations.isEmpty {
        throw ServiceErrors.inUse(leader.name, by: allegations.map { "allegations/\($0)" })
      }
      try VisitCascade.removeLeader(leader.name, visits: visits, tx)
    }
    return Google_Protobuf_Empty()
  }

  public func resolveLeaders(
    requests: RequestStream<Summit_V1_ResolveLeadersRequest>, responses: ResponseWriter<Summit_V1_ResolveLeadersResponse>,
    context: ServerContext
  ) async throws {
    for try await request in requests {
      let matcher = try await directory.matcher()
      var v = Validator()
      v.text(request.mention, "mention", max: 500)
      if request.maxMatches < 0 { v.fail("max_matches", "must not be negative") }
      try v.check()
      let limit = request.maxMatches == 0 ? 5 : Int(min(request.maxMatches, 100))
      try await responses.write(
        .with {
          $0.mention = request.mention
          $0.tag = request.tag
          $0.matches = matcher.matches(for: request.mention, limit: limit)
        })
    }
  }

  static func validate(_ leader: Summit_V1_Leader, _ v: inout Validator, field: String) {
    v.required(leader.displayName, "\(field).display_name")
    v.text(leader.displayName, "\(field).display_name", max: 200)
    v.text(leader.title, "\(field).title", max: 200)
    v.country(leader.country, "\(field).country")
    v.texts(leader.aliases, "\(field).aliases", maxCount: 50, maxLength: 200)
    v.sources(leader.sources, "\(field).sources")
  }
}
