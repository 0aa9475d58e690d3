import ArgumentParser
import Foundation
import SummitAPI
import SummitCodec
import SummitRPC

extension Visits {
  struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Stream visits from a JSON-lines or CSV file through ImportVisits.",
      discussion: """
        JSON lines: one proto3 JSON Visit per line (camelCase or snake_case fields), with an optional "id". \
        CSV: a header naming columns among id, visitor, host_country, host_leader, cities, start_date, \
        end_date, kind, event, purpose, sites, reciprocates (cities and sites separated by ';'). \
        Blank lines and lines starting with # are skipped. Names may be short (putin).

        Exit code 0 when every row was imported, 65 when some were not; each failure is listed \
        with its line number (with -o json: its zero-based row index and a status code).

        Examples:
          summit visits import visits.jsonl
          summit visits import trips.csv
          cat visits.jsonl | summit visits import -
        """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The file, or - for standard input.") var file: String

    func run() async throws {
      let text: String
      if file == "-" {
        text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
      } else {
        guard let data = FileManager.default.contents(atPath: file) else {
          CLIFailure.printError("error: cannot read \(file)")
          throw ExitCode(66)
        }
        text = String(decoding: data, as: UTF8.self)
      }
      let isCSV = file.lowercased().hasSuffix(".csv") || ImportRows.looksLikeCSV(text)
      var failed = false
      try await Session.run(global, deadline: .whenGiven) { s in
        let rows = try isCSV ? ImportRows.csv(text) : ImportRows.jsonLines(text)
        // Each data row keeps its place (zero-based index) and its line; rows
        // the client cannot read, or whose names do not resolve, fail here.
        var failures: [(index: Int, line: Int, status: Google_Rpc_Status)] = []
        var sent: [(index: Int, request: Summit_V1_ImportVisitsRequest)] = []
        for (index, row) in rows.enumerated() {
          switch row.result {
          case .failure(let reason):
            failures.append((index, row.line, .with { $0.code = 3; $0.message = reason.text }))
          case .success(var request):
            do {
              if var visit = request.visit {
                if !visit.visitor.isEmpty { visit.visitor = try await s.names.leader(visit.visitor) }
                if !visit.hostLeader.isEmpty { visit.hostLeader = try await s.names.leader(visit.hostLeader) }
                if !visit.reciprocates.isEmpty { visit.reciprocates = s.names.visit(visit.reciprocates) }
                request.visit = visit
              }
              sent.append((index, request))
            } catch let error as RPCError {
              failures.append((index, row.line, error.statusProto))
            } catch let error as UsageError {
              failures.append((index, row.line, .with { $0.code = 3; $0.message = error.message }))
            }
          }
        }
        let progress = Terminal.stderrIsInteractive
        let toSend = sent
        let response = try await s.visits.importVisits(options: s.options) { writer in
          for (i, item) in toSend.enumerated() {
            try await writer.write(item.request)
            if progress && (i % 50 == 0 || i == toSend.count - 1) {
              FileHandle.standardError.write(Data("\rimporting: \(i + 1)/\(toSend.count)".utf8))
            }
          }
          if progress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        }
        for f in response.failures where Int(f.index) < toSend.count {
          let index = toSend[Int(f.index)].index
          failures.append((index, rows[index].line, f.status ?? .with { $0.code = 2 }))
        }
        failures.sort { $0.index < $1.index }
        failed = !failures.isEmpty
        let summary = Summit_V1_ImportVisitsResponse.with {
          $0.createdCount = response.createdCount
          $0.created = response.created
          $0.failures = failures.map { f in .with { $0.index = Int32(f.index); $0.status = f.status } }
        }
        try s.printer.print(summary) {
          let n = response.createdCount
          var out = "imported \(n) visit\(n == 1 ? "" : "s"), \(failures.count) failed\n"
          for f in failures {
            out += "line \(f.line): \(StatusCode(rawValue: Int(f.status.code)).name): \(f.status.message)\n"
            for any in f.status.details where any.typeURL.hasSuffix("/google.rpc.BadRequest") {
              if let bad = try? Google_Rpc_BadRequest(serializedBytes: any.value) {
                out += bad.fieldViolations.map { "    \($0.field): \($0.description_p)\n" }.joined()
              }
            }
          }
          return out
        }
      }
      if failed { throw ExitCode(65) }
    }
  }
}

/// Rows of an import file, each a request or the reason it can't be one,
/// with its 1-based line number.
enum ImportRows {
  struct Row {
    var line: Int
    var result: Result<Summit_V1_ImportVisitsRequest, Reason>
  }

  struct Reason: Error {
    var text: String
  }

  static func looksLikeCSV(_ text: String) -> Bool {
    guard let first = text.split(separator: "\n").first(where: { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty })
    else { return false }
    return !first.trimmingCharacters(in: .whitespaces).hasPrefix("{")
  }

  static func jsonLines(_ text: String) throws -> [Row] {
    let decoder = ProtoJSONDecoder()
    var rows: [Row] = []
    for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty || line.hasPrefix("#") { continue }
      do {
        guard case .object(var members) = try JSONParser.parse(line) else {
          rows.append(Row(line: i + 1, result: .failure(Reason(text: "not a JSON object"))))
          continue
        }
        var id = ""
        if let index = members.firstIndex(where: { $0.0 == "id" || $0.0 == "visitId" }) {
          if case .string(let s) = members[index].1 { id = s }
          members.remove(at: index)
        }
        let visit = try decoder.decode(Summit_V1_Visit.self, from: .object(members))
        rows.append(Row(line: i + 1, result: .success(.with { $0.visit = visit; $0.visitID = id })))
      } catch let error as JSONParser.Failure {
        rows.append(Row(line: i + 1, result: .failure(Reason(text: "\(error)"))))
      } catch let error as CodecError {
        rows.append(Row(line: i + 1, result: .failure(Reason(text: error.message))))
      }
    }
    return rows
  }

  static let csvColumns: Set<String> = [
    "id", "visitor", "host_country", "host_leader", "cities", "start_date", "end_date", "kind", "event", "purpose", "sites",
    "reciprocates",
  ]

  static func csv(_ text: String) throws -> [Row] {
    var rows: [Row] = []
    var header: [String]?
    for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : String(raw)
      if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("#") { continue }
      let cells = fields(line)
      guard let columns = header else {
        let names = cells.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if let unknown = names.first(where: { !csvColumns.contains($0) }) {
          throw UsageError("line \(i + 1): unknown CSV column \(unknown) (known: \(csvColumns.sorted().joined(separator: ", ")))")
        }
        header = names
        continue
      }
      guard cells.count == columns.count else {
        rows.append(Row(line: i + 1, result: .failure(Reason(text: "expected \(columns.count) fields, found \(cells.count)"))))
        continue
      }
      var visit = Summit_V1_Visit()
      var id = ""
      var problem: String?
      for (column, value) in zip(columns, cells) where !value.isEmpty {
        do {
          switch column {
          case "id": id = value
          case "visitor": visit.visitor = value
          case "host_country": visit.hostCountry = value.uppercased()
          case "host_leader": visit.hostLeader = value
          case "cities": visit.cities = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
          case "sites": visit.sites = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
          case "start_date": visit.startDate = try Parse.date(value, option: "start_date")
          case "end_date": visit.endDate = try Parse.date(value, option: "end_date")
          case "kind": visit.kind = try Parse.enumValue(value, Summit_V1_VisitKind.self, option: "kind")
          case "event": visit.event = value
          case "purpose": visit.purpose = value
          case "reciprocates": visit.reciprocates = value
          default: break
          }
        } catch let error as UsageError {
          problem = error.message
        }
      }
      if let problem {
        rows.append(Row(line: i + 1, result: .failure(Reason(text: problem))))
      } else {
        let (v, vid) = (visit, id)
        rows.append(Row(line: i + 1, result: .success(.with { $0.visit = v; $0.visitID = vid })))
      }
    }
    return rows
  }

  /// One CSV line's fields (RFC 4180 quoting; no newlines inside fields).
  static func fields(_ line: String) -> [String] {
    var out: [String] = []
    var field = ""
    var quoted = false
    var iterator = Array(line).makeIterator()
    var pending: Character? = iterator.next()
    while let c = pending {
      pending = iterator.next()
      if quoted {
        if c == "\"" {
          if pending == "\"" {
            field.append("\"")
            pending = iterator.next()
          } else {
            quoted = false
          }
        } else {
          field.append(c)
        }
      } else if c == "\"" {
        quoted = true
      } else if c == "," {
        out.append(field.trimmingCharacters(in: .whitespaces))
        field = ""
      } else {
        field.append(c)
      }
    }
    out.append(field.trimmingCharacters(in: .whitespaces))
    return out
  }
}
