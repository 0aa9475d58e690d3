import Foundation
import Logging
import NIOCore
import NIOPosix
import SummitAPI
import SummitCodec
import SummitHTTP2
import SummitRPC
import SummitStore
import Synchronization
import Testing

@testable import SummitService

/// ListVisits runs on its connection's event loop (QuickMethods), and so do
/// its short page reads; a read that may scan at length (a date range) moves
/// to the global executor, so it never holds up the loop. Proven through a
/// real server and client, with a store that records where each list read ran.
@Suite struct ListPlacementTests {
  /// The SQLite store, recording for each list read whether it ran on an event loop.
  final class RecordingStore: ResourceStore {
    let inner: SQLiteStore
    private let placements = Mutex<[Bool]>([])
    var listsOnEventLoop: [Bool] { placements.withLock { $0 } }
    var feed: ChangeFeed { inner.feed }

    init(_ inner: SQLiteStore) { self.inner = inner }

    func list(_ query: ListQuery) async throws -> [StoredResource] {
      let onLoop = MultiThreadedEventLoopGroup.currentEventLoop != nil
      placements.withLock { $0.append(onLoop) }
      return try await inner.list(query)
    }
    func get(_ collection: ResourceCollection, id: String) async throws -> StoredResource? {
      try await inner.get(collection, id: id)
    }
    func count(_ collection: ResourceCollection) async throws -> Int { try await inner.count(collection) }
    func write<T: Sendable>(_ body: @escaping @Sendable (any WriteTransaction) throws -> T) async throws -> T {
      try await inner.write(body)
    }
    func changes(after: Int64, limit: Int) async throws -> [Change] { try await inner.changes(after: after, limit: limit) }
  }

  @Test func shortPagesAreReadOnTheEventLoopLongScansAreNot() async throws {
    let sqlite = try SQLiteStore(path: NSTemporaryDirectory() + "summit-placement-\(UUID().uuidString)/s.db")
    _ = try await Seeder.seedIfEmpty(sqlite, seed: Seeder.bundledSeed)
    let store = RecordingStore(sqlite)
    var configuration = GRPCServerConfiguration()
    configuration.port = 0
    configuration.eventLoopCount = 1
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    let handlers = VisitServiceImpl(store: store).servedHandlers.preferringEventLoop(for: QuickMethods.all)
    let server = GRPCServer(configuration: configuration, router: RPCRouter(handlers), logger: logger)
    let address = try await server.start()
    let channel = GRPCChannel(host: "127.0.0.1", port: address.port!)
    let client = Summit_V1_VisitServiceClient(channel)
    do {
      let first = try await client.listVisits(.with { $0.pageSize = 3 })
      #expect(first.visits.count == 3)
      _ = try await client.listVisits(.with {
        $0.pageSize = 3
        $0.pageToken = first.nextPageToken
      })
      _ = try await client.listVisits(.with { $0.visitor = "leaders/vladimir-putin" })
      let dated = try await client.listVisits(.with { $0.dateFrom = .with { $0.year = 2000; $0.month = 1; $0.day = 1 } })
      #expect(!dated.visits.isEmpty)
      _ = try await client.listVisits(.with { $0.pageSize = 500 })
      #expect(store.listsOnEventLoop == [true, true, true, false, false])
    } catch {
      await channel.close()
      await server.shutdownGracefully()
      throw error
    }
    await channel.close()
    await server.shutdownGracefully()
  }
}
