import SwiftProtobuf
import SwiftProtobufSummit

/// The same messages through swift-protobuf 1.39 generated code, decoded once
/// from the bytes our codec produced, so both sides hold identical content.
enum Theirs {
  static func load(visit: [UInt8], page: [UInt8]) throws -> (Summit_V1_Visit, Summit_V1_ListVisitsResponse) {
    (try Summit_V1_Visit(serializedBytes: visit), try Summit_V1_ListVisitsResponse(serializedBytes: page))
  }

  nonisolated(unsafe) static var visit = Summit_V1_Visit()
  nonisolated(unsafe) static var page = Summit_V1_ListVisitsResponse()

  static func encodeVisit() -> Int { ((try? visit.serializedBytes()) as [UInt8]?)?.count ?? -1 }
  static func encodePage() -> Int { ((try? page.serializedBytes()) as [UInt8]?)?.count ?? -1 }

  static func visitBytes() throws -> [UInt8] { try visit.serializedBytes() }
  static func pageBytes() throws -> [UInt8] { try page.serializedBytes() }

  static func decodeVisit(_ bytes: [UInt8]) -> Int {
    (try? Summit_V1_Visit(serializedBytes: bytes))?.sources.count ?? -1
  }

  static func decodePage(_ bytes: [UInt8]) -> Int {
    (try? Summit_V1_ListVisitsResponse(serializedBytes: bytes))?.visits.count ?? -1
  }
}
