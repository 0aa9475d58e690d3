import Foundation
import SummitStore
import SummitTestSupport
import Testing

/// Several ``PostgresStore``s on one database, as several replicas use it.
@Suite(.enabled(if: ScratchPostgres.isAvailable, "\(ScratchPostgres.unavailableReason ?? "")"))
struct PostgresReplicaTests {
  @Test func everyReplicasFeedSeesEveryCommitInOneOrder() async throws {
    let url = ScratchPostgres.freshDatabase()
    let replicas = try (0..<3).map { _ in try PostgresStore(url: url) }
    let feeds = replicas.map { $0.feed.subscribe() }
    try await withThrowingTaskGroup(of: Void.self) { group in
      for (r, replica) in replicas.enumerated() {
        for writer in 0..<3 {
          group.addTask {
            for i in 0..<15 {
              let id = "r\(r)-w\(writer)-\(i)"
              try await replica.write { tx in
                _ = try tx.insert(.leaders, id: id, data: [], index: index(id))
                try tx.recordChange(.created, .leaders, id: id, data: [])
              }
            }
          }
        }
      }
      try await group.waitForAll()
    }
    let logged = try await replicas[0].changes(after: 0, limit: 1000)
    #expect(logged.count == 135)
    #expect(Set(logged.map(\.id)).count == 135)
    for feed in feeds {
      var seen: [Int64] = []
      for try await change in feed {
        seen.append(change.sequence)
        if seen.count == logged.count { break }
      }
      #expect(seen == logged.map(\.sequence))
    }
  }

  @Test func idempotentResponsesAndVersionsAreShared() async throws {
    let url = ScratchPostgres.freshDatabase()
    let a = try PostgresStore(url: url)
    let b = try PostgresStore(url: url)
    try await a.write { tx in
      _ = try tx.insert(.leaders, id: "x", data: [1], index: index("x"))
      try tx.storeIdempotentResponse(method: "M", requestID: "r1", response: [4, 2])
    }
    #expect(try await b.write { tx in try tx.idempotentResponse(method: "M", requestID: "r1") } == [4, 2])
    #expect(try await b.write { tx in try tx.replace(.leaders, id: "x", data: [2], index: index("x")) } == 2)
    #expect(try await a.get(.leaders, id: "x")?.version == 2)
    #expect(try await b.write { tx in try tx.insert(.leaders, id: "x", data: [3], index: index("x")) } == false)
  }

  @Test func replicasStartingTogetherMigrateOnce() async throws {
    let url = ScratchPostgres.freshDatabase()
    let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
      for _ in 0..<4 { group.addTask { try PostgresStore(url: url) } }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    #expect(stores.count == 4)
    let applied = ScratchPostgres.run(["psql", "-X", "-At", url, "-c", "SELECT count(*) FROM summit_migrations"])
    #expect(applied == "1")
  }

  @Test func aSchemaFromANewerBinaryIsRefused() async throws {
    let url = ScratchPostgres.freshDatabase()
    _ = try PostgresStore(url: url)
    ScratchPostgres.run(["psql", "-X", "-q", url, "-c", "INSERT INTO summit_migrations (name) VALUES ('v99: from the future')"])
    #expect {
      try PostgresStore(url: url)
    } throws: { error in
      (error as? StoreError)?.kind == .corrupt && "\(error)".contains("v99")
    }
  }

  @Test func anUnreachableServerIsUnavailable() async throws {
    let closed = ScratchPostgres.serverURL.replacingOccurrences(of: #":\d+/"#, with: ":1/", options: .regularExpression)
    #expect {
      try PostgresStore(url: closed)
    } throws: { error in
      (error as? StoreError)?.kind == .unavailable
    }
  }
}
