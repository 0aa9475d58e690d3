import Foundation
import SummitCodec
import SummitRPC
import SummitStore
import Testing

@testable import SummitService

/// `ListVisits` is served from stored bytes (`EncodedPages`); these tests
/// prove the bytes are exactly those of the decode-and-encode path.
@Suite struct EncodedPagesTests {
  let store: SQLiteStore
  let service: VisitServiceImpl
  let context = ServerContext(
    method: Summit_V1_VisitService.Method.ListVisits.descriptor, requestMetadata: Metadata(), deadline: nil, peer: "test")

  init() async throws {
    store = try SQLiteStore(path: NSTemporaryDirectory() + "summit-pages-\(UUID().uuidString)/s.db")
    service = VisitServiceImpl(store: store)
    _ = try await Seeder.seedIfEmpty(store, seed: Seeder.bundledSeed)
  }

  /// The page as it was built before: decoded records, encoded response.
  func decodedPage(_ request: Summit_V1_ListVisitsRequest) async throws -> [UInt8] {
    let (query, filter) = try VisitServiceImpl.listQuery(request)
    let (page, next) = try await service.visits.list(query, pageSize: request.pageSize, pageToken: request.pageToken, filter: filter)
    return Summit_V1_ListVisitsResponse.with {
      $0.visits = page
      $0.nextPageToken = next
    }.serializedBytes()
  }

  @Test(arguments: [1, 2, 5, 50])
  func everyPageIsByteForByteTheDecodedOne(pageSize: Int32) async throws {
    // An updated visit too, so an etag other than W/"1" is in the pages.
    var first = try #require(try await service.listVisits(request: .with { $0.pageSize = 1 }, context: context).visits.first)
    first.purpose = "Updated by the encoded-pages test."
    _ = try await service.updateVisit(
      request: .with {
        $0.visit = first
        $0.updateMask = .with { $0.paths = ["purpose"] }
      }, context: context)
    var request = Summit_V1_ListVisitsRequest.with { $0.pageSize = pageSize }
    var seen = 0
    repeat {
      let encoded = try await service.listVisitsEncoded(request: request)
      #expect(encoded == (try await decodedPage(request)))
      let page = try Summit_V1_ListVisitsResponse(serializedBytes: encoded)
      #expect(page.visits.allSatisfy { $0.etag.hasPrefix("W/\"") })
      seen += page.visits.count
      request.pageToken = page.nextPageToken
    } while !request.pageToken.isEmpty
    #expect(seen == (try await store.count(.visits)))
    #expect(seen >= 7)
  }

  @Test func filteredPagesMatchToo() async throws {
    let request = Summit_V1_ListVisitsRequest.with {
      $0.visitor = "leaders/vladimir-putin"
      $0.pageSize = 2
    }
    #expect(try await service.listVisitsEncoded(request: request) == (try await decodedPage(request)))
  }

  /// Get* are served from stored bytes too: every seeded record of every
  /// collection, one of them updated (etag other than W/"1").
  @Test func everyPointReadIsByteForByteTheDecodedOne() async throws {
    try await store.write { tx in
      let stored = try #require(try tx.get(.leaders, id: "vladimir-putin"))
      _ = try tx.replace(.leaders, id: stored.id, data: stored.data, index: ResourceIndex(sortKey: stored.sortKey, terms: []))
    }
    try await expectEncodedGetsMatch(ResourceOperations<Summit_V1_Leader>(store: store, field: "leader"))
    try await expectEncodedGetsMatch(ResourceOperations<Summit_V1_Visit>(store: store, field: "visit"))
    try await expectEncodedGetsMatch(ResourceOperations<Summit_V1_Allegation>(store: store, field: "allegation"))
  }

  func expectEncodedGetsMatch<R: SummitResource>(_ operations: ResourceOperations<R>) async throws {
    let records = try await store.list(ListQuery(collection: R.collection, limit: 1000))
    #expect(!records.isEmpty)
    for record in records {
      let name = R.name(id: record.id)
      #expect(try await operations.getEncoded(name) == (try await operations.get(name)).serializedBytes(), "\(name)")
    }
  }

  @Test func theEtagGoesInFieldOrder() throws {
    // Fields 1 and 15 stored; field 14 goes between them.
    let stored: [UInt8] = [0x0A, 0x01, 0x61, 0x7A, 0x00]
    #expect(try EncodedPages.inserting(field: 14, value: [0x62], into: stored) == [0x0A, 0x01, 0x61, 0x72, 0x01, 0x62, 0x7A, 0x00])
    #expect(try EncodedPages.inserting(field: 14, value: [], into: stored) == stored)
    #expect(try EncodedPages.inserting(field: 14, value: [0x62], into: [0x0A, 0x01, 0x61]) == [0x0A, 0x01, 0x61, 0x72, 0x01, 0x62])
  }

  @Test(arguments: [[0x0A, 0x05, 0x61] as [UInt8], [0x0B], [0x08, 0x80], [0x09, 1, 2]])
  func malformedStoredBytesAreRefused(bytes: [UInt8]) {
    #expect(throws: EncodedPages.Malformed.self) { try EncodedPages.inserting(field: 14, value: [0x62], into: bytes) }
  }
}
