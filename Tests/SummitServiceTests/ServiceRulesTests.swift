import Foundation
import SummitCodec
import SummitRPC
import SummitStore
import SummitTestSupport
import Testing

@testable import SummitService

/// The services' rules, called directly over a real store of each kind (the
/// Python suite in Tests/Interop/service covers the same through summitd).
@Suite struct ServiceRulesTests {
  @Test(arguments: StoreKind.allCases) func createsWithSlugIdsAndNumbersCollisions(_ kind: StoreKind) async throws {
    try await ServiceRules(kind).createsWithSlugIdsAndNumbersCollisions()
  }
  @Test(arguments: StoreKind.allCases) func namesEveryBadFieldAtOnce(_ kind: StoreKind) async throws {
    try await ServiceRules(kind).namesEveryBadFieldAtOnce()
  }
  @Test(arguments: StoreKind.allCases) func referencesAreChecked(_ kind: StoreKind) async throws {
    try await ServiceRules(kind).referencesAreChecked()
  }
  @Test(arguments: StoreKind.allCases) func idempotentCreateEtagsAndMasks(_ kind: StoreKind) async throws {
    try await ServiceRules(kind).idempotentCreateEtagsAndMasks()
  }
  @Test(arguments: StoreKind.allCases) func leaderInUseAndForce(_ kind: StoreKind) async throws {
    try await ServiceRules(kind).leaderInUseAndForce()
  }
  @Test(arguments: StoreKind.allCases) func responsesDeriveStatus(_ kind: StoreKind) async throws {
    try await ServiceRules(kind).responsesDeriveStatus()
  }
  @Test(arguments: StoreKind.allCases) func seedLoadsOnceAndPassesTheRules(_ kind: StoreKind) async throws {
    try await ServiceRules(kind).seedLoadsOnceAndPassesTheRules()
  }
}

/// The rules' checks on one store, run by ``ServiceRulesTests`` on each kind.
struct ServiceRules {
  let store: any ResourceStore
  let leaders: LeaderServiceImpl
  let visits: VisitServiceImpl
  let allegations: AllegationServiceImpl
  let context = ServerContext(
    method: Summit_V1_LeaderService.Method.GetLeader.descriptor, requestMetadata: Metadata(), deadline: nil, peer: "test")

  init(_ kind: StoreKind) throws {
    store = try kind.open()
    leaders = LeaderServiceImpl(store: store)
    visits = VisitServiceImpl(store: store)
    allegations = AllegationServiceImpl(store: store)
  }

  func rpcError(_ body: () async throws -> Void) async -> RPCError? {
    do {
      try await body()
      return nil
    } catch {
      return error as? RPCError
    }
  }

  func leader(_ name: String, _ country: String = "RU") -> Summit_V1_CreateLeaderRequest {
    .with {
      $0.leader = .with {
        $0.displayName = name
        $0.country = country
      }
    }
  }

  func createsWithSlugIdsAndNumbersCollisions() async throws {
    let first = try await leaders.createLeader(request: leader("Vladímir Putin"), context: context)
    let second = try await leaders.createLeader(request: leader("Vladimir Putin"), context: context)
    #expect(first.name == "leaders/vladimir-putin")
    #expect(second.name == "leaders/vladimir-putin-2")
    #expect(first.etag == "W/\"1\"" && first.createTime != nil)
  }

  func namesEveryBadFieldAtOnce() async throws {
    let error = await rpcError {
      _ = try await visits.createVisit(
        request: .with {
          $0.visit = .with {
            $0.visitor = "leaders/Bad"
            $0.hostCountry = "XX"
            $0.startDate = .with { $0.year = 2023; $0.month = 2; $0.day = 29 }
            $0.endDate = .with { $0.year = 2023; $0.month = 1; $0.day = 1 }
            $0.kind = .init(rawValue: 99)
          }
        }, context: context)
    }
    #expect(error?.code == .invalidArgument)
    let fields = Set(error?.detail(Google_Rpc_BadRequest.self)?.fieldViolations.map(\.field) ?? [])
    #expect(fields == ["visit.visitor", "visit.host_country", "visit.start_date", "visit.kind"])
    #expect(error?.detail(Google_Rpc_ErrorInfo.self)?.reason == "INVALID_FIELD")
  }

  func referencesAreChecked() async throws {
    let error = await rpcError {
      _ = try await visits.createVisit(request: .with { $0.visit = Self.visit(visitor: "leaders/nobody") }, context: context)
    }
    #expect(error?.code == .failedPrecondition)
    #expect(error?.detail(Google_Rpc_BadRequest.self)?.fieldViolations.first?.field == "visit.visitor")
  }

  func idempotentCreateEtagsAndMasks() async throws {
    _ = try await leaders.createLeader(request: leader("Kim Jong Un", "KP"), context: context)
    let request = Summit_V1_CreateVisitRequest.with {
      $0.visit = Self.visit(visitor: "leaders/kim-jong-un")
      $0.requestID = "r-1"
    }
    let a = try await visits.createVisit(request: request, context: context)
    let b = try await visits.createVisit(request: request, context: context)
    #expect(a == b)
    #expect(try await store.count(.visits) == 1)

    var changed = a
    changed.purpose = "talks"
    changed.event = "not in the mask"
    let updated = try await visits.updateVisit(
      request: .with {
        $0.visit = changed
        $0.updateMask = .with { $0.paths = ["purpose"] }
      }, context: context)
    #expect(updated.purpose == "talks" && updated.event == "" && updated.etag == "W/\"2\"")

    let stale = await rpcError {
      _ = try await visits.updateVisit(request: .with { $0.visit = changed }, context: context)
    }
    #expect(stale?.code == .aborted)
    let badMask = await rpcError {
      _ = try await visits.updateVisit(
        request: .with {
          $0.visit = updated
          $0.updateMask = .with { $0.paths = ["etag"] }
        }, context: context)
    }
    #expect(badMask?.detail(Google_Rpc_BadRequest.self)?.fieldViolations.first?.field == "update_mask")
  }

  func leaderInUseAndForce() async throws {
    _ = try await leaders.createLeader(request: leader("Kim Jong Un", "KP"), context: context)
    _ = try await visits.createVisit(request: .with { $0.visit = Self.visit(visitor: "leaders/kim-jong-un") }, context: context)
    let inUse = await rpcError {
      _ = try await leaders.deleteLeader(request: .with { $0.name = "leaders/kim-jong-un" }, context: context)
    }
    #expect(inUse?.code == .failedPrecondition)
    #expect(inUse?.detail(Google_Rpc_ErrorInfo.self)?.reason == "RESOURCE_IN_USE")
    _ = try await leaders.deleteLeader(
      request: .with {
        $0.name = "leaders/kim-jong-un"
        $0.force = true
      }, context: context)
    #expect(try await store.count(.visits) == 0)
  }

  func responsesDeriveStatus() async throws {
    let created = try await allegations.createAllegation(
      request: .with {
        $0.allegation = .with {
          $0.accusers = [.with { $0.group = "United States and allies" }]
          $0.accused = [.with { $0.country = "KP" }]
          $0.summary = "Shells shipped to Russia"
          $0.category = .armsTransfer
        }
      }, context: context)
    #expect(created.status == .alleged)
    func respond(_ party: Summit_V1_Party, _ stance: Summit_V1_Stance) async throws -> Summit_V1_Allegation {
      try await allegations.respondToAllegation(
        request: .with {
          $0.name = created.name
          $0.response = .with {
            $0.party = party
            $0.stance = stance
          }
        }, context: context)
    }
    #expect(try await respond(.with { $0.country = "RU" }, .deny).status == .alleged)  // RU is not accused
    #expect(try await respond(.with { $0.country = "KP" }, .deny).status == .denied)
    #expect(try await respond(.with { $0.country = "KP" }, .confirm).status == .confirmed)
    #expect(try await respond(.with { $0.group = "united states AND allies" }, .retract).status == .retracted)
  }

  func seedLoadsOnceAndPassesTheRules() async throws {
    let first = try await Seeder.seedIfEmpty(store, seed: Seeder.bundledSeed)
    #expect((first?.leaders ?? 0) >= 8 && (first?.visits ?? 0) >= 6 && (first?.allegations ?? 0) >= 5)
    #expect(try await Seeder.seedIfEmpty(store, seed: Seeder.bundledSeed) == nil)
  }

  static func visit(visitor: String) -> Summit_V1_Visit {
    .with {
      $0.visitor = visitor
      $0.hostCountry = "RU"
      $0.startDate = .with { $0.year = 2023; $0.month = 9; $0.day = 12 }
      $0.endDate = .with { $0.year = 2023; $0.month = 9; $0.day = 17 }
      $0.kind = .officialVisit
    }
  }
}
