import SummitStore

/// List responses built from the stored records' bytes, without decoding
/// them into messages and encoding them again.
///
/// A record is stored as its resource's protobuf without the etag (which is
/// derived from the version). A repeated message field on the wire is each
/// element's tag, length and bytes, so a page is the stored bytes with the
/// etag put back, each framed as one element. The etag goes where an encoder
/// writing fields in number order puts it (before the first stored field
/// numbered above it), so the page is byte for byte what decoding and
/// re-encoding would give (`EncodedPagesTests` checks that for every seeded
/// record). For a 50-visit page this skips 50 decodes and 50 encodes, most
/// of the call's CPU time.
enum EncodedPages {
  struct Malformed: Error {}

  /// `stored` with a length-delimited `field` holding `value` inserted in
  /// field-number order; `stored` unchanged when `value` is empty (proto3
  /// leaves empty strings out).
  static func inserting(field: Int, value: [UInt8], into stored: [UInt8]) throws -> [UInt8] {
    guard !value.isEmpty else { return stored }
    var out: [UInt8] = []
    out.reserveCapacity(stored.count + value.count + 12)
    try append(stored, inserting: field, value, to: &out)
    return out
  }

  /// A `List*Response` of stored `records` as served (field `elementField`,
  /// each with its etag in `etagField`) and the next page token (field
  /// `tokenField`), written in one pass into one array.
  static func page(
    _ records: some Collection<StoredResource>, etagField: Int, elementField: Int, nextPageToken: String, tokenField: Int
  ) throws -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(records.reduce(16 + nextPageToken.utf8.count) { $0 + $1.data.count + 24 })
    for record in records {
      let etag = Array(Etags.etag(version: record.version).utf8)
      let etagSize = varintSize(UInt64(etagField << 3 | 2)) + varintSize(UInt64(etag.count)) + etag.count
      appendVarint(UInt64(elementField << 3 | 2), to: &out)
      appendVarint(UInt64(record.data.count + etagSize), to: &out)
      do {
        try append(record.data, inserting: etagField, etag, to: &out)
      } catch {
        throw StoreError(.corrupt, "stored \(record.collection.rawValue)/\(record.id) is not a well-formed message")
      }
    }
    if !nextPageToken.isEmpty { appendLengthDelimited(field: tokenField, Array(nextPageToken.utf8), to: &out) }
    return out
  }

  /// Appends `stored` to `out` with `field` (length-delimited, `value`)
  /// placed before the first stored field numbered above it.
  private static func append(_ stored: [UInt8], inserting field: Int, _ value: [UInt8], to out: inout [UInt8]) throws {
    let at = try offsetOfFirstField(above: field, in: stored)
    out.append(contentsOf: stored[..<at])
    appendLengthDelimited(field: field, value, to: &out)
    out.append(contentsOf: stored[at...])
  }

  static func varintSize(_ value: UInt64) -> Int {
    var v = value
    var n = 1
    while v >= 0x80 {
      v >>= 7
      n += 1
    }
    return n
  }

  static func appendLengthDelimited(field: Int, _ value: [UInt8], to out: inout [UInt8]) {
    appendVarint(UInt64(field << 3 | 2), to: &out)
    appendVarint(UInt64(value.count), to: &out)
    out.append(contentsOf: value)
  }

  static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
    var v = value
    while v >= 0x80 {
      out.append(UInt8(truncatingIfNeeded: v) | 0x80)
      v >>= 7
    }
    out.append(UInt8(v))
  }

  /// Where the first top-level field numbered above `field` starts, or the
  /// end. Throws on bytes that are not a well-formed message. (Scans raw
  /// bytes: this runs for every record of every page.)
  static func offsetOfFirstField(above field: Int, in bytes: [UInt8]) throws -> Int {
    try bytes.withUnsafeBufferPointer { buffer throws(Malformed) -> Int in
      var i = 0
      while i < buffer.count {
        let start = i
        let tag = try readVarint(buffer, &i)
        if Int(truncatingIfNeeded: tag >> 3) > field { return start }
        try skipValue(of: tag, buffer, &i)
      }
      return buffer.count
    }
  }

  /// Where the value of the first top-level length-delimited `field` lies
  /// in `bytes`, or nil when absent. Throws on bytes that are not a
  /// well-formed message.
  static func rangeOfField(_ field: Int, in bytes: [UInt8]) throws -> Range<Int>? {
    try bytes.withUnsafeBufferPointer { buffer throws(Malformed) -> Range<Int>? in
      var i = 0
      while i < buffer.count {
        let tag = try readVarint(buffer, &i)
        if tag & 7 == 2 && Int(truncatingIfNeeded: tag >> 3) == field {
          let length = try readVarint(buffer, &i)
          guard length <= UInt64(buffer.count - i) else { throw Malformed() }
          return i..<(i + Int(length))
        }
        try skipValue(of: tag, buffer, &i)
      }
      return nil
    }
  }

  /// Moves `i` past the value of a field with `tag`, checking it lies within `buffer`.
  private static func skipValue(of tag: UInt64, _ buffer: UnsafeBufferPointer<UInt8>, _ i: inout Int) throws(Malformed) {
    switch tag & 7 {
    case 0: _ = try readVarint(buffer, &i)
    case 1: i += 8
    case 2:
      let length = try readVarint(buffer, &i)
      guard length <= UInt64(buffer.count - i) else { throw Malformed() }
      i += Int(length)
    case 5: i += 4
    default: throw Malformed()
    }
    guard i <= buffer.count else { throw Malformed() }
  }

  private static func readVarint(_ buffer: UnsafeBufferPointer<UInt8>, _ i: inout Int) throws(Malformed) -> UInt64 {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      guard i < buffer.count, shift < 64 else { throw Malformed() }
      let byte = buffer[i]
      i += 1
      result |= UInt64(byte & 0x7F) << shift
      if byte < 0x80 { return result }
      shift += 7
    }
  }
}
