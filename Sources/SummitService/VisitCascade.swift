import SummitCodec
import SummitStore

/// What deleting a leader with `force` does to visits: visits by the leader
/// go; visits the leader hosted keep their record without the host.
enum VisitCascade {
  static func removeLeader(_ leaderName: String, visits: [String], _ tx: any WriteTransaction) throws {
    for id in visits {
      guard let stored = try tx.get(.visits, id: id) else { continue }
      var visit = try Summit_V1_Visit.from(stored)
      if visit.visitor == leaderName {
        try tx.delete(.visits, id: id)
        try tx.recordChange(.deleted, .visits, id: id, data: visit.serializedBytes())
      } else if visit.hostLeader == leaderName {
        visit.hostLeader = ""
        visit.updateTime = Clock.now()
        let version = try tx.replace(.visits, id: id, data: visit.storedBytes, index: visit.storeIndex)
        visit.etag = Etags.etag(version: version)
        try tx.recordChange(.updated, .visits, id: id, data: visit.serializedBytes())
      }
    }
  }
}
