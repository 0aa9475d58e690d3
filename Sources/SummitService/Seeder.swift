import SummitCodec
public import SummitStore

/// Loads the seed (the report's facts, `Resources/seed.json`) into an empty
/// store: every record checked by the same rules as the API, then all
/// written in one transaction, so a crash never leaves half a seed.
public enum Seeder {
  public struct Summary: Sendable {
    public var leaders = 0
    public var visits = 0
    public var allegations = 0
  }

  /// The seed shipped with the service, compiled into the binary
  /// (`.embedInCode` in Package.swift): a resource bundle would need
  /// Foundation's `Bundle`, and a folder to ship beside the executable.
  public static var bundledSeed: String {
    String(decoding: PackageResources.seed_json, as: UTF8.self)
  }

  /// Seeds `store` from `text` (proto3 JSON of summit.v1 resources) if the
  /// store holds no record; nil when it already held some.
  public static func seedIfEmpty(_ store: any ResourceStore, seed text: String) async throws -> Summary? {
    for collection in ResourceCollection.allCases where try await store.count(collection) > 0 {
      return nil
    }
    let seed = try parse(text)
    try validate(seed)
    let now = Clock.now()
    let firstLeaderID = seed.leaders.first.flatMap { ResourceNames.id(of: $0.name, collection: ResourceCollection.leaders.rawValue) }
    let seeded = try await store.write { tx -> Bool in
      // Replicas sharing one database may all have found it empty: write
      // transactions take turns, so only the first one to get here seeds.
      if let firstLeaderID, try tx.get(.leaders, id: firstLeaderID) != nil { return false }
      func insert<R: SummitResource>(_ resource: R) throws {
        var r = resource
        r.createTime = now
        r.updateTime = now
        guard let id = ResourceNames.id(of: r.name, collection: R.collection.rawValue),
          try tx.insert(R.collection, id: id, data: r.storedBytes, index: r.storeIndex)
        else { throw SeedError(message: "seed: \(r.name) is not a valid new name") }
        r.etag = Etags.etag(version: 1)
        try tx.recordChange(.created, R.collection, id: id, data: r.serializedBytes())
      }
      for leader in seed.leaders { try insert(leader) }
      // A visit that reciprocates another comes after it.
      for visit in seed.visits where visit.reciprocates.isEmpty { try insert(visit) }
      for visit in seed.visits where !visit.reciprocates.isEmpty { try insert(visit) }
      for allegation in seed.allegations { try insert(allegation) }
      return true
    }
    guard seeded else { return nil }
    return Summary(leaders: seed.leaders.count, visits: seed.visits.count, allegations: seed.allegations.count)
  }

  struct SeedError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
  }

  struct Seed {
    var leaders: [Summit_V1_Leader] = []
    var visits: [Summit_V1_Visit] = []
    var allegations: [Summit_V1_Allegation] = []
  }

  static func parse(_ text: String) throws -> Seed {
    let decoder = ProtoJSONDecoder()
    let json: JSONValue
    do {
      json = try JSONParser.parse(text)
    } catch {
      throw SeedError(message: "seed: \(error)")
    }
    var seed = Seed()
    func items(_ key: String) -> [JSONValue] {
      if case .array(let a)? = json[key] { return a }
      return []
    }
    do {
      seed.leaders = try items("leaders").map { try decoder.decode(Summit_V1_Leader.self, from: $0) }
      seed.visits = try items("visits").map { try decoder.decode(Summit_V1_Visit.self, from: $0) }
      seed.allegations = try items("allegations").map { try decoder.decode(Summit_V1_Allegation.self, from: $0) }
    } catch {
      throw SeedError(message: "seed: \(error)")
    }
    for i in seed.allegations.indices { seed.allegations[i].status = AllegationServiceImpl.derivedStatus(seed.allegations[i]) }
    return seed
  }

  /// The API's rules, and every reference resolving within the seed.
  static func validate(_ seed: Seed) throws {
    var v = Validator()
    let leaders = Set(seed.leaders.map(\.name))
    let visits = Set(seed.visits.map(\.name))
    for (i, l) in seed.leaders.enumerated() { LeaderServiceImpl.validate(l, &v, field: "leaders[\(i)]") }
    for (i, visit) in seed.visits.enumerated() {
      VisitServiceImpl.validate(visit, &v, field: "visits[\(i)]")
      if !leaders.contains(visit.visitor) { v.fail("visits[\(i)].visitor", "\(visit.visitor) is not in the seed") }
      if !visit.hostLeader.isEmpty && !leaders.contains(visit.hostLeader) {
        v.fail("visits[\(i)].host_leader", "\(visit.hostLeader) is not in the seed")
      }
      if !visit.reciprocates.isEmpty && !visits.contains(visit.reciprocates) {
        v.fail("visits[\(i)].reciprocates", "\(visit.reciprocates) is not in the seed")
      }
    }
    for (i, a) in seed.allegations.enumerated() {
      AllegationServiceImpl.validate(a, &v, field: "allegations[\(i)]")
      for p in a.accusers + a.accused + a.responses.compactMap(\.party) {
        if case .leader(let name)? = p.kind, !leaders.contains(name) {
          v.fail("allegations[\(i)]", "\(name) is not in the seed")
        }
      }
    }
    if !v.violations.isEmpty {
      throw SeedError(message: "seed: " + v.violations.map { "\($0.field): \($0.description)" }.joined(separator: "; "))
    }
  }
}
