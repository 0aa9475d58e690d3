import SummitStore
import SummitTestSupport
import Testing

@testable import SummitService

/// Replicas starting together on one empty PostgreSQL database all find it
/// empty; the seed must still be written once.
@Suite(.enabled(if: ScratchPostgres.isAvailable, "\(ScratchPostgres.unavailableReason ?? "")"))
struct ReplicaSeedingTests {
  @Test func replicasStartingTogetherSeedOnce() async throws {
    let url = ScratchPostgres.freshDatabase()
    let seed = Seeder.bundledSeed
    let replicas = try (0..<3).map { _ in try PostgresStore(url: url) }
    let summaries = try await withThrowingTaskGroup(of: Seeder.Summary?.self) { group in
      for replica in replicas { group.addTask { try await Seeder.seedIfEmpty(replica, seed: seed) } }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    let seeded = summaries.compactMap { $0 }
    #expect(seeded.count == 1)
    let leaders = try await replicas[2].count(.leaders)
    #expect(leaders == seeded.first?.leaders)
    #expect(try await replicas[1].count(.visits) == seeded.first?.visits)
  }
}
