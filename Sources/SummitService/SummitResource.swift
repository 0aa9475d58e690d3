import FoundationEssentials
import SummitCodec
import SummitStore

/// What the standard methods need of each resource type.
protocol SummitResource: ProtoMessage {
  static var collection: ResourceCollection { get }
  /// The field number of `etag`, which is not stored: served bytes get it
  /// put back (`EncodedPages`).
  static var etagField: Int { get }
  var name: String { get set }
  var etag: String { get set }
  var createTime: Google_Protobuf_Timestamp? { get set }
  var updateTime: Google_Protobuf_Timestamp? { get set }
  /// What the store indexes for filters, order and references.
  var storeIndex: ResourceIndex { get }
}

extension SummitResource {
  static var namePrefix: String { collection.rawValue + "/" }

  static func name(id: String) -> String { namePrefix + id }

  /// The resource a stored record holds, with its etag from the record's version.
  static func from(_ stored: StoredResource) throws -> Self {
    var resource: Self
    do {
      resource = try Self(serializedBytes: stored.data)
    } catch {
      throw StoreError(.corrupt, "stored \(stored.collection.rawValue)/\(stored.id) does not decode: \(error)")
    }
    resource.name = name(id: stored.id)
    resource.etag = Etags.etag(version: stored.version)
    return resource
  }

  /// Bytes to store: the etag is derived from the version, never stored.
  var storedBytes: [UInt8] {
    var copy = self
    copy.etag = ""
    return copy.serializedBytes()
  }
}

enum Etags {
  static func etag(version: Int64) -> String { "W/\"\(version)\"" }
}

enum Clock {
  /// The wall-clock time, for create and update times.
  static func now() -> Google_Protobuf_Timestamp {
    let seconds = Date().timeIntervalSince1970
    let whole = seconds.rounded(.down)
    return .with {
      $0.seconds = Int64(whole)
      $0.nanos = Int32(min(999_999_999, (seconds - whole) * 1e9))
    }
  }
}

extension Summit_V1_Leader: SummitResource {
  static var collection: ResourceCollection { .leaders }
  static var etagField: Int { 7 }

  var storeIndex: ResourceIndex {
    ResourceIndex(sortKey: String(name.dropFirst(Self.namePrefix.count)), terms: ["country=\(country)"])
  }
}

extension Summit_V1_Visit: SummitResource {
  static var collection: ResourceCollection { .visits }
  static var etagField: Int { 14 }

  var storeIndex: ResourceIndex {
    let start = startDate.map(CivilDates.text) ?? ""
    let end = endDate.map(CivilDates.text) ?? start
    var references = [visitor]
    if !hostLeader.isEmpty { references.append(hostLeader) }
    if !reciprocates.isEmpty { references.append(reciprocates) }
    return ResourceIndex(
      sortKey: start,
      terms: ["visitor=\(visitor)", "host_country=\(hostCountry)", "kind=\(kind.rawValue)"],
      references: references, startDate: start, endDate: end)
  }
}

extension Summit_V1_Allegation: SummitResource {
  static var collection: ResourceCollection { .allegations }
  static var etagField: Int { 10 }

  var storeIndex: ResourceIndex {
    var terms = ["category=\(category.rawValue)", "status=\(status.rawValue)"]
    terms += accusers.compactMap { $0.term.map { "accuser=\($0)" } }
    terms += accused.compactMap { $0.term.map { "accused=\($0)" } }
    let leaders = (accusers + accused + responses.compactMap(\.party)).compactMap { party -> String? in
      if case .leader(let name)? = party.kind { return name }
      return nil
    }
    return ResourceIndex(
      sortKey: firstReported.map(CivilDates.text) ?? "", terms: terms, references: leaders)
  }
}

extension Summit_V1_Party {
  /// `leader:leaders/x`, `country:KP`, `group:united states and allies`: how a
  /// party is indexed and matched (groups case-folded).
  var term: String? {
    switch kind {
    case .leader(let name)?: "leader:\(name)"
    case .country(let code)?: "country:\(code)"
    case .group(let group)?: "group:\(TextMatching.fold(group))"
    case nil: nil
    }
  }
}
