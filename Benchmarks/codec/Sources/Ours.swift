import SummitCodec

/// The messages under test, built with Summit's codec (protobuf-c underneath):
/// a visit shaped like the seed's, and a page of 50 of them.
enum Ours {
  static let visit: Summit_V1_Visit = .with {
    $0.name = "visits/putin-pyongyang-2000"
    $0.visitor = "leaders/vladimir-putin"
    $0.hostCountry = "KP"
    $0.hostLeader = "leaders/kim-jong-il"
    $0.cities = ["Pyongyang"]
    $0.startDate = .with { $0.year = 2000; $0.month = 7; $0.day = 19 }
    $0.endDate = .with { $0.year = 2000; $0.month = 7; $0.day = 20 }
    $0.kind = Summit_V1_VisitKind(rawValue: 2)
    $0.purpose =
      "The first visit to North Korea by a Russian or Soviet leader, made two months after Putin's first "
      + "inauguration, for talks with Kim Jong Il that ended in a joint declaration."
    $0.sites = ["Sunan airport", "Kumsusan Memorial Palace", "Paekhwawon state guest house"]
    $0.sources = [
      .with {
        $0.title = "Putin Arrives In Pyongyang for Visit"
        $0.publisher = "People's Daily Online"
        $0.url = "http://en.people.cn/english/200007/19/print20000719_45894.html"
        $0.published = .with { $0.year = 2000; $0.month = 7; $0.day = 19 }
      },
      .with {
        $0.title = "Putin Makes First Visit to N. Korea"
        $0.publisher = "ABC News"
        $0.url = "https://abcnews.go.com/International/story?id=83114"
        $0.published = .with { $0.year = 2000; $0.month = 7; $0.day = 19 }
      },
    ]
    $0.etag = "W/\"3f2a9c1e\""
    $0.createTime = .with { $0.seconds = 1_732_000_000; $0.nanos = 123_000_000 }
    $0.updateTime = .with { $0.seconds = 1_732_000_500; $0.nanos = 456_000_000 }
  }

  static let page: Summit_V1_ListVisitsResponse = .with {
    $0.visits = (0..<50).map { i in
      var v = visit
      v.name = "visits/bench-\(i)"
      return v
    }
    $0.nextPageToken = "eyJvZmZzZXQiOjUwfQ"
  }

  static let visitBytes = visit.serializedBytes()
  static let pageBytes = page.serializedBytes()

  static func encodeVisit() -> Int { visit.serializedBytes().count }
  static func encodePage() -> Int { page.serializedBytes().count }

  static func decodeVisit(_ bytes: [UInt8]) -> Int {
    (try? Summit_V1_Visit(serializedBytes: bytes))?.sources.count ?? -1
  }

  static func decodePage(_ bytes: [UInt8]) -> Int {
    (try? Summit_V1_ListVisitsResponse(serializedBytes: bytes))?.visits.count ?? -1
  }
}
