import Foundation
import SummitCodec
import SummitRPC
import SummitStore
import Testing

@testable import SummitService

/// Watch events are built from the change log's stored bytes
/// (`EncodedEvents`); these tests prove the bytes are exactly those of
/// decoding the resource and encoding the event.
@Suite struct EncodedEventsTests {
  let store: SQLiteStore

  init() async throws {
    store = try SQLiteStore(path: NSTemporaryDirectory() + "summit-events-\(UUID().uuidString)/s.db")
    _ = try await Seeder.seedIfEmpty(store, seed: Seeder.bundledSeed)
  }

  @Test func everySeededChangeIsByteForByteTheDecodedEvent() async throws {
    // An update and a deletion too, so every change type is in the log.
    let visits = VisitServiceImpl(store: store)
    let context = ServerContext(
      method: Summit_V1_VisitService.Method.ListVisits.descriptor, requestMetadata: Metadata(), deadline: nil, peer: "test")
    var first = try #require(try await visits.listVisits(request: .with { $0.pageSize = 1 }, context: context).visits.first)
    first.purpose = "Updated by the encoded-events test."
    _ = try await visits.updateVisit(
      request: .with {
        $0.visit = first
        $0.updateMask = .with { $0.paths = ["purpose"] }
      }, context: context)
    _ = try await visits.deleteVisit(request: .with { $0.name = first.name }, context: context)

    let changes = try await store.changes(after: 0, limit: 10_000)
    #expect(Set(changes.map(\.kind)) == [.created, .updated, .deleted])
    for change in changes {
      let decoded: [UInt8]
      switch change.collection {
      case .visits:
        decoded = Summit_V1_VisitEvent.with {
          $0.type = ChangeWatcher.changeType(change.kind)
          $0.visit = try! Summit_V1_Visit(serializedBytes: change.data)
          $0.sequence = change.sequence
          $0.commitTime = ChangeWatcher.timestamp(change.commitTime)
        }.serializedBytes()
        let visit = try Summit_V1_Visit(serializedBytes: change.data)
        #expect(EncodedEvents.stringField(2, in: change.data) == visit.visitor)
      case .allegations:
        decoded = Summit_V1_AllegationEvent.with {
          $0.type = ChangeWatcher.changeType(change.kind)
          $0.allegation = try! Summit_V1_Allegation(serializedBytes: change.data)
          $0.sequence = change.sequence
          $0.commitTime = ChangeWatcher.timestamp(change.commitTime)
        }.serializedBytes()
      case .leaders:
        continue
      }
      #expect(EncodedEvents.event(change) == decoded, "change \(change.sequence)")
    }
  }

  @Test func timestampsOfEveryShapeMatch() {
    for milliseconds: Int64 in [0, 1, 999, 1000, 1_700_000_000_123, -1, -1500] {
      let change = Change(sequence: 7, collection: .visits, kind: .created, id: "x", data: [0x12, 0x01, 0x61], commitTime: milliseconds)
      let decoded = Summit_V1_VisitEvent.with {
        $0.type = .created
        $0.visit = try! Summit_V1_Visit(serializedBytes: change.data)
        $0.sequence = 7
        $0.commitTime = ChangeWatcher.timestamp(milliseconds)
      }.serializedBytes()
      #expect(EncodedEvents.event(change) == decoded, "\(milliseconds) ms")
    }
  }

  @Test func aMissingOrMalformedFilterField() {
    #expect(EncodedEvents.stringField(2, in: [0x0A, 0x01, 0x61]) == "")
    #expect(EncodedEvents.stringField(2, in: [0x12, 0x05, 0x61]) == nil)
  }
}
