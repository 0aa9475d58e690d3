import SummitCodec
import SummitStore

/// Watch events (`VisitEvent`, `AllegationEvent`) built from the change
/// log's stored bytes, without decoding the resource and encoding it again.
///
/// Both events are `type = 1` (enum), the resource in 2, `sequence = 3`,
/// `commit_time = 4` (a Timestamp); written in field order as an encoder
/// writes them, so the bytes are exactly the decode-and-encode path's
/// (`EncodedEventsTests` checks every seeded change). A replayed change log
/// is most of a watch's work: this is what bounds its rate.
enum EncodedEvents {
  /// One event of `change`, its stored resource bytes in field 2.
  static func event(_ change: Change) -> [UInt8] {
    let time = ChangeWatcher.timestamp(change.commitTime)
    var stamp: [UInt8] = []
    if time.seconds != 0 { appendVarintField(1, UInt64(bitPattern: time.seconds), to: &stamp) }
    if time.nanos != 0 { appendVarintField(2, UInt64(bitPattern: Int64(time.nanos)), to: &stamp) }
    var out: [UInt8] = []
    out.reserveCapacity(change.data.count + stamp.count + 32)
    appendVarintField(1, UInt64(ChangeWatcher.changeType(change.kind).rawValue), to: &out)
    EncodedPages.appendLengthDelimited(field: 2, change.data, to: &out)
    if change.sequence != 0 { appendVarintField(3, UInt64(bitPattern: change.sequence), to: &out) }
    EncodedPages.appendLengthDelimited(field: 4, stamp, to: &out)
    return out
  }

  private static func appendVarintField(_ field: Int, _ value: UInt64, to out: inout [UInt8]) {
    EncodedPages.appendVarint(UInt64(field << 3), to: &out)
    EncodedPages.appendVarint(value, to: &out)
  }

  /// The first top-level string field numbered `field` in `bytes`, or ""
  /// when absent (proto3's default); nil when `bytes` is not a well-formed
  /// message. Reads a filter field without decoding the message.
  static func stringField(_ field: Int, in bytes: [UInt8]) -> String? {
    let range: Range<Int>?
    do {
      range = try EncodedPages.rangeOfField(field, in: bytes)
    } catch {
      return nil
    }
    guard let range else { return "" }
    return String(decoding: bytes[range], as: UTF8.self)
  }
}
