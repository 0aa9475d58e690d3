import SummitCodec

/// Prints results in the chosen format: proto3 JSON, YAML from that JSON,
/// or the table a command builds.
struct Printer {
  let format: OutputFormat
  private let encoder = ProtoJSONEncoder()

  /// One result: JSON/YAML of `message`, or `table()` for people.
  func print(_ message: some ProtoMessage, table: () -> String) throws {
    switch format {
    case .table: Terminal.write(table())
    case .json: Terminal.write(try encoder.encode(message) + "\n")
    case .yaml: Terminal.write(YAMLWriter.yaml(try JSONParser.parse(try encoder.encode(message))))
    }
  }

  /// One event of a stream: a JSON line, a YAML document, or a table line.
  func printEvent(_ message: some ProtoMessage, line: () -> String) throws {
    switch format {
    case .table: Terminal.write(line() + "\n")
    case .json: Terminal.write(try encoder.encode(message) + "\n")
    case .yaml: Terminal.write("---\n" + YAMLWriter.yaml(try JSONParser.parse(try encoder.encode(message))))
    }
  }
}

/// How resources read in tables.
enum Describe {
  static func short(_ name: String) -> String {
    name.split(separator: "/", maxSplits: 1).last.map(String.init) ?? name
  }

  static func date(_ d: Google_Type_Date?) -> String {
    guard let d else { return "" }
    func pad(_ v: Int32, _ n: Int) -> String { String(repeating: "0", count: max(0, n - String(v).count)) + String(v) }
    return "\(pad(d.year, 4))-\(pad(d.month, 2))-\(pad(d.day, 2))"
  }

  /// `2024-06-18 – 2024-06-19`: both ends in full, for detail views.
  static func fullDays(_ visit: Summit_V1_Visit) -> String {
    let start = date(visit.startDate)
    let end = date(visit.endDate)
    return start == end || end.isEmpty ? start : "\(start) – \(end)"
  }

  /// `2024-06-18–19`, `2024-05-31 – 06-02`, `2023-12-30 – 2024-01-02`: a span
  /// of days without repeating what the ends share.
  static func days(_ visit: Summit_V1_Visit) -> String {
    let start = date(visit.startDate)
    let end = date(visit.endDate)
    guard !start.isEmpty else { return "" }
    guard let s = visit.startDate, let e = visit.endDate, start != end else { return start }
    if s.year == e.year && s.month == e.month { return start + "–" + String(end.suffix(2)) }
    if s.year == e.year { return start + " – " + String(end.suffix(5)) }
    return "\(start) – \(end)"
  }

  static func time(_ t: Google_Protobuf_Timestamp?) -> String {
    guard let t, let text = try? ProtoJSONEncoder().encode(t) else { return "" }
    return String(text.dropFirst().dropLast())
  }

  static func words<E: ProtoEnum>(_ e: E) -> String {
    Parse.words(e).replacingOccurrences(of: "-", with: " ")
  }

  static func party(_ p: Summit_V1_Party) -> String {
    switch p.kind {
    case .leader(let n)?: short(n)
    case .country(let c)?: c
    case .group(let g)?: g
    case nil: "?"
    }
  }

  static func sources(_ sources: [Summit_V1_Source]) -> String {
    sources.map { s in
      [s.title, s.publisher, date(s.published), s.url].filter { !$0.isEmpty }.joined(separator: " — ")
    }.joined(separator: "\n")
  }

  static func leaders(_ list: [Summit_V1_Leader]) -> String {
    TextLayout.table(
      ["name", "display name", "country", "title"], list.map { [short($0.name), $0.displayName, $0.country, $0.title] })
  }

  static func leader(_ l: Summit_V1_Leader) -> String {
    TextLayout.details([
      ("name", l.name), ("display name", l.displayName), ("title", l.title), ("country", l.country),
      ("aliases", l.aliases.joined(separator: ", ")), ("sources", sources(l.sources)), ("etag", l.etag),
      ("created", time(l.createTime)), ("updated", time(l.updateTime)),
    ])
  }

  static func visits(_ list: [Summit_V1_Visit]) -> String {
    TextLayout.table(
      ["name", "visitor", "host", "dates", "kind", "cities"],
      list.map { [short($0.name), short($0.visitor), $0.hostCountry, days($0), words($0.kind), $0.cities.joined(separator: ", ")] })
  }

  static func visit(_ v: Summit_V1_Visit) -> String {
    var dayCount = ""
    if let s = v.startDate, let e = v.endDate {
      let n = CivilDays.between(s, e) + 1
      dayCount = " (\(n) day\(n == 1 ? "" : "s"))"
    }
    return TextLayout.details([
      ("name", v.name), ("visitor", v.visitor), ("host country", v.hostCountry), ("host leader", v.hostLeader),
      ("dates", fullDays(v) + dayCount), ("kind", words(v.kind)), ("cities", v.cities.joined(separator: ", ")),
      ("sites", v.sites.joined(separator: "\n")), ("event", v.event), ("purpose", v.purpose),
      ("reciprocates", v.reciprocates), ("sources", sources(v.sources)), ("etag", v.etag),
      ("created", time(v.createTime)), ("updated", time(v.updateTime)),
    ])
  }

  static func allegations(_ list: [Summit_V1_Allegation]) -> String {
    TextLayout.table(
      ["name", "category", "status", "accusers", "accused", "summary"],
      list.map {
        [
          short($0.name), words($0.category), words($0.status), $0.accusers.map(party).joined(separator: ", "),
          $0.accused.map(party).joined(separator: ", "), $0.summary,
        ]
      })
  }

  static func allegation(_ a: Summit_V1_Allegation) -> String {
    let responses = a.responses.map { r in
      ["\(r.party.map(party) ?? "?") \(words(r.stance))", date(r.date), r.statement].filter { !$0.isEmpty }.joined(separator: " — ")
    }
    return TextLayout.details([
      ("name", a.name), ("summary", a.summary), ("category", words(a.category)), ("status", words(a.status)),
      ("accusers", a.accusers.map(party).joined(separator: ", ")), ("accused", a.accused.map(party).joined(separator: ", ")),
      ("first reported", date(a.firstReported)), ("responses", responses.joined(separator: "\n")),
      ("sources", sources(a.sources)), ("etag", a.etag), ("created", time(a.createTime)), ("updated", time(a.updateTime)),
    ])
  }
}

/// Whole days between two civil dates.
enum CivilDays {
  static func between(_ a: Google_Type_Date, _ b: Google_Type_Date) -> Int {
    Int(ordinal(b) - ordinal(a))
  }

  static func ordinal(_ d: Google_Type_Date) -> Int64 {
    let y = Int64(d.month <= 2 ? d.year - 1 : d.year)
    let m = Int64(d.month)
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(d.day) - 1
    return era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy
  }
}
