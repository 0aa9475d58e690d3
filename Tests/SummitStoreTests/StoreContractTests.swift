import Foundation
import SummitStore
import SummitTestSupport
import Testing

func index(_ sortKey: String, _ terms: [String] = [], refs: [String] = []) -> ResourceIndex {
  ResourceIndex(sortKey: sortKey, terms: terms, references: refs, startDate: sortKey, endDate: sortKey)
}

/// The ``ResourceStore`` contract, run against each store.
@Suite struct StoreContractTests {
  @Test(arguments: StoreKind.allCases) func insertGetReplaceDelete(_ kind: StoreKind) async throws {
    let store = try kind.open()
    let inserted = try await store.write { tx in try tx.insert(.leaders, id: "a", data: [1], index: index("a")) }
    #expect(inserted)
    let duplicate = try await store.write { tx in try tx.insert(.leaders, id: "a", data: [2], index: index("a")) }
    #expect(!duplicate)
    let version = try await store.write { tx in try tx.replace(.leaders, id: "a", data: [3], index: index("a")) }
    #expect(version == 2)
    #expect(try await store.get(.leaders, id: "a")?.data == [3])
    try await store.write { tx in try tx.delete(.leaders, id: "a") }
    #expect(try await store.get(.leaders, id: "a") == nil)
  }

  @Test(arguments: StoreKind.allCases) func listsInKeyOrderWithFiltersAndKeysets(_ kind: StoreKind) async throws {
    let store = try kind.open()
    try await store.write { tx in
      for i in 0..<100 {
        let day = String(format: "2024-01-%02d", i % 28 + 1)
        _ = try tx.insert(.visits, id: "v\(i)", data: [UInt8(i)], index: index(day, ["kind=\(i % 3)"]))
      }
    }
    var seen: [String] = []
    var query = ListQuery(collection: .visits, limit: 7)
    query.terms = ["kind=1"]
    while true {
      let page = try await store.list(query)
      seen += page.map(\.id)
      guard page.count == query.limit, let last = page.last else { break }
      query.after = (last.sortKey, last.id)
    }
    let matching: [(day: String, id: String)] = (0..<100).filter { $0 % 3 == 1 }.map { i in
      (String(format: "2024-01-%02d", i % 28 + 1), "v\(i)")
    }
    let expected = matching.sorted { a, b in a.day != b.day ? a.day < b.day : a.id < b.id }.map(\.id)
    #expect(seen == expected)

    var range = ListQuery(collection: .visits, limit: 1000)
    range.dateFrom = "2024-01-10"
    range.dateTo = "2024-01-11"
    let inRange = try await store.list(range)
    #expect(!inRange.isEmpty && inRange.allSatisfy { $0.sortKey == "2024-01-10" || $0.sortKey == "2024-01-11" })
  }

  @Test(arguments: StoreKind.allCases) func changeLogAndFeedKeepCommitOrder(_ kind: StoreKind) async throws {
    let store = try kind.open()
    let feed = store.feed.subscribe()
    try await withThrowingTaskGroup(of: Void.self) { group in
      for writer in 0..<8 {
        group.addTask {
          for i in 0..<25 {
            try await store.write { tx in
              _ = try tx.insert(.leaders, id: "w\(writer)-\(i)", data: [], index: index("w\(writer)-\(i)"))
              try tx.recordChange(.created, .leaders, id: "w\(writer)-\(i)", data: [])
            }
          }
        }
      }
      try await group.waitForAll()
    }
    let logged = try await store.changes(after: 0, limit: 1000)
    #expect(logged.count == 200)
    #expect(zip(logged, logged.dropFirst()).allSatisfy { $0.sequence < $1.sequence })
    var live: [Change] = []
    for try await change in feed {
      live.append(change)
      if live.count == 200 { break }
    }
    #expect(live.map(\.sequence) == logged.map(\.sequence))
    #expect(try await store.changes(after: logged[99].sequence, limit: 1000).count == 100)
  }

  @Test(arguments: StoreKind.allCases) func referencesAndIdempotency(_ kind: StoreKind) async throws {
    let store = try kind.open()
    try await store.write { tx in
      _ = try tx.insert(.visits, id: "v1", data: [], index: index("x", refs: ["leaders/a"]))
      _ = try tx.insert(.visits, id: "v2", data: [], index: index("x", refs: ["leaders/a", "leaders/b"]))
      try tx.storeIdempotentResponse(method: "M", requestID: "r", response: [9])
    }
    let referrers = try await store.write { tx in try tx.referrers(of: "leaders/a", in: .visits) }
    #expect(referrers == ["v1", "v2"])
    let stored = try await store.write { tx in try tx.idempotentResponse(method: "M", requestID: "r") }
    #expect(stored == [9])
  }
}

/// What only the SQLite file store does.
@Suite struct SQLiteStoreTests {
  @Test func reopensWithDataAndWAL() async throws {
    let path = NSTemporaryDirectory() + "summit-store-\(UUID().uuidString)/s.db"
    let store = try SQLiteStore(path: path)
    try await store.write { tx in _ = try tx.insert(.leaders, id: "kept", data: [7], index: index("kept")) }
    let again = try SQLiteStore(path: path)
    #expect(try await again.get(.leaders, id: "kept")?.data == [7])
    #expect(FileManager.default.fileExists(atPath: path + "-wal"))
  }

  /// A serving store claims its file: a second exclusive opener is refused
  /// as unavailable, naming the holder; a plain opener (the import) is not;
  /// the claim ends with the store.
  @Test func anExclusiveStoreHoldsItsFileAlone() async throws {
    let path = NSTemporaryDirectory() + "summit-store-\(UUID().uuidString)/s.db"
    do {
      let first = try SQLiteStore(path: path, exclusive: true)
      let error = #expect(throws: StoreError.self) { try SQLiteStore(path: path, exclusive: true) }
      #expect(error?.kind == .unavailable)
      #expect(error?.message.contains("in use by another summitd (pid \(getpid()))") == true)
      let reader = try SQLiteStore(path: path)
      #expect(try await reader.count(.leaders) == 0)
      _ = first
    }
    _ = try SQLiteStore(path: path, exclusive: true)
  }

  /// The generation moves with every commit, before the write returns.
  @Test func theGenerationMovesWithEveryCommit() async throws {
    let store = try SQLiteStore(path: NSTemporaryDirectory() + "summit-store-\(UUID().uuidString)/s.db")
    let before = store.generation
    try await store.write { tx in _ = try tx.insert(.leaders, id: "a", data: [1], index: index("a")) }
    #expect(store.generation == before + 1)
    _ = try? await store.write { _ in throw StoreError(.unavailable, "rolled back") }
    #expect(store.generation == before + 1)
  }

  /// Stores written before Summit drove SQLite itself (GRDB's migrator
  /// recorded the schema steps) open unchanged: same records, no step run
  /// twice, and they take writes. The fixture is the seeded store as
  /// summitd at `df219d6` left it.
  @Test func opensAStoreTheGRDBVersionCreated() async throws {
    let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Fixtures/store-created-by-grdb.db").path
    let directory = NSTemporaryDirectory() + "summit-store-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let path = directory + "/s.db"
    try FileManager.default.copyItem(atPath: fixture, toPath: path)
    let store = try SQLiteStore(path: path)
    #expect(try await store.count(.leaders) == 10)
    #expect(try await store.count(.visits) == 7)
    #expect(try await store.get(.leaders, id: "vladimir-putin") != nil)
    let page = try await store.list(ListQuery(collection: .visits, limit: 50))
    #expect(page.count == 7)
    try await store.write { tx in
      _ = try tx.insert(.leaders, id: "new", data: [1], index: index("new"))
      try tx.recordChange(.created, .leaders, id: "new", data: [1])
    }
    let again = try SQLiteStore(path: path)
    #expect(try await again.count(.leaders) == 11)
    #expect(try await again.changes(after: 0, limit: 1000).last?.id == "new")
  }
}
