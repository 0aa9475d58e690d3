import SummitCodec
import SummitRPC
import SummitStore

/// Delivers a collection's committed changes in commit order: first those in
/// the durable log after a sequence, then live ones, with no gap and no
/// repeat between the two.
enum ChangeWatcher {
  static func watch(
    store: any ResourceStore, collection: ResourceCollection, after: Int64,
    established: () async throws -> Void,
    deliver: ([Change]) async throws -> Void
  ) async throws {
    // Subscribe first, so nothing committed while the log is read is missed.
    let live = store.feed.subscribe()
    var last = after
    if after > 0 {
      while true {
        // A page of the log is delivered as one batch (one hand-over to the transport).
        let page = try await storeCall { try await store.changes(after: last, limit: 500) }
        if let newest = page.last { last = newest.sequence }
        let matching = page.filter { $0.collection == collection }
        if !matching.isEmpty { try await deliver(matching) }
        if page.count < 500 { break }
      }
    }
    // Headers go out now, not with the first change: the client learns the
    // watch is established, and the call stops counting as a handler still
    // preparing its response (the transport's call admission).
    try await established()
    do {
      for try await change in live where change.sequence > last {
        last = change.sequence
        if change.collection == collection { try await deliver([change]) }
      }
    } catch let overflow as ChangeFeed.Overflow {
      throw ServiceErrors.error(
        .resourceExhausted, "\(overflow); watch again with after_sequence = \(last)", reason: "WATCHER_TOO_SLOW",
        metadata: ["after_sequence": "\(last)"])
    }
    try Task.checkCancellation()
  }

  static func changeType(_ kind: ChangeKind) -> Summit_V1_ChangeType {
    switch kind {
    case .created: .created
    case .updated: .updated
    case .deleted: .deleted
    }
  }

  static func timestamp(_ milliseconds: Int64) -> Google_Protobuf_Timestamp {
    .with {
      $0.seconds = milliseconds / 1000
      $0.nanos = Int32(milliseconds % 1000) * 1_000_000
    }
  }
}
