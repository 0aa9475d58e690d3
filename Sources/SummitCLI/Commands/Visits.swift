import ArgumentParser
import SummitAPI
import SummitCodec
import SummitRPC

struct Visits: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Visits: who went where, when, and why.",
    discussion: "Examples:\n  summit visits list --visitor putin --year 2024\n  summit visits get putin-pyongyang-2024\n  summit visits import visits.csv\n  summit visits watch",
    subcommands: [List.self, Get.self, Create.self, Update.self, Delete.self, Import.self, Watch.self])

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List visits, by start date.",
      discussion: """
        Examples:
          summit visits list --visitor putin --year 2024
          summit visits list --host KP --from 2000-01-01 --to 2000-12-31 -o json
        """)
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only visits by this leader.") var visitor: String?
    @Option(help: "Only visits to this country (ISO 3166-1 alpha-2).") var host: String?
    @Option(help: "Only visits with a day on or after this date (YYYY-MM-DD).") var from: String?
    @Option(help: "Only visits with a day on or before this date.") var to: String?
    @Option(help: "Only visits with a day in this year (same as --from YYYY-01-01 --to YYYY-12-31).") var year: Int32?
    @Option(help: "state-visit, official-visit, working-visit or summit.") var kind: String?
    @Option(help: "Visits per page (default 50, at most 1000).") var pageSize: Int32 = 0
    @Option var pageToken: String?
    @Flag(help: "Fetch every page.") var all = false

    func run() async throws {
      try await Session.run(global) { s in
        var request = Summit_V1_ListVisitsRequest.with {
          $0.pageSize = pageSize
          $0.pageToken = pageToken ?? ""
          $0.hostCountry = host?.uppercased() ?? ""
        }
        if let visitor { request.visitor = try await s.names.leader(visitor) }
        if let year {
          request.dateFrom = .with { $0.year = year; $0.month = 1; $0.day = 1 }
          request.dateTo = .with { $0.year = year; $0.month = 12; $0.day = 31 }
        }
        if let from { request.dateFrom = try Parse.date(from, option: "--from") }
        if let to { request.dateTo = try Parse.date(to, option: "--to") }
        if let kind { request.kind = try Parse.enumValue(kind, Summit_V1_VisitKind.self, option: "--kind") }
        let response = try await listPages(
          request, pageToken: \.pageToken, nextPageToken: \.nextPageToken, items: \.visits, all: all
        ) { try await s.visits.listVisits($0, options: s.options) }
        try s.printer.print(response) { Describe.visits(response.visits) + more(response.nextPageToken) }
      }
    }
  }

  struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show one visit.", discussion: "Examples:\n  summit visits get putin-pyongyang-2024")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "visits/ID or the id.") var visit: String

    func run() async throws {
      try await Session.run(global) { s in
        let found = try await s.visits.getVisit(.with { $0.name = s.names.visit(visit) }, options: s.options)
        try s.printer.print(found) { Describe.visit(found) }
      }
    }
  }

  /// Options shared by create and update.
  struct Fields: ParsableArguments {
    @Option(help: "The visiting leader.") var visitor: String?
    @Option(help: "Host country (ISO 3166-1 alpha-2).") var host: String?
    @Option(help: "Host leader.") var hostLeader: String?
    @Option(help: "First day, YYYY-MM-DD.") var start: String?
    @Option(help: "Last day, YYYY-MM-DD.") var end: String?
    @Option(help: "state-visit, official-visit, working-visit or summit.") var kind: String?
    @Option(help: "A city visited (repeatable, in order).") var city: [String] = []
    @Option(help: "A site visited (repeatable).") var site: [String] = []
    @Option var event: String?
    @Option var purpose: String?
    @Option(help: "The visit this one returns.") var reciprocates: String?

    /// The visit these options describe, and the mask paths they set.
    func visit(_ names: Names) async throws -> (Summit_V1_Visit, [String]) {
      var v = Summit_V1_Visit()
      var paths: [String] = []
      if let visitor { v.visitor = try await names.leader(visitor); paths.append("visitor") }
      if let host { v.hostCountry = host.uppercased(); paths.append("host_country") }
      if let hostLeader { v.hostLeader = try await names.leader(hostLeader); paths.append("host_leader") }
      if let start { v.startDate = try Parse.date(start, option: "--start"); paths.append("start_date") }
      if let end { v.endDate = try Parse.date(end, option: "--end"); paths.append("end_date") }
      if let kind { v.kind = try Parse.enumValue(kind, Summit_V1_VisitKind.self, option: "--kind"); paths.append("kind") }
      if !city.isEmpty { v.cities = city; paths.append("cities") }
      if !site.isEmpty { v.sites = site; paths.append("sites") }
      if let event { v.event = event; paths.append("event") }
      if let purpose { v.purpose = purpose; paths.append("purpose") }
      if let reciprocates { v.reciprocates = names.visit(reciprocates); paths.append("reciprocates") }
      return (v, paths)
    }
  }

  struct Create: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Record a visit.",
      discussion: """
        Examples:
          summit visits create --visitor putin --host VN --kind state-visit \\
            --start 2024-06-19 --end 2024-06-20 --city Hanoi --host-leader to-lam
        """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var fields: Fields
    @Option(help: "The id (default: generated).") var id: String?
    @Option(help: "Makes retries safe.") var requestId: String?

    func run() async throws {
      try await Session.run(global) { s in
        let (visit, _) = try await fields.visit(s.names)
        let created = try await s.visits.createVisit(
          .with {
            $0.visit = visit
            $0.visitID = id ?? ""
            $0.requestID = requestId ?? ""
          }, options: s.options)
        try s.printer.print(created) { Describe.visit(created) }
      }
    }
  }

  struct Update: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Change a visit's fields (only those given).",
      discussion: "Examples:\n  summit visits update putin-hanoi-2024 --purpose \"Talks on trade and energy\"")
    @OptionGroup var global: GlobalOptions
    @Argument var visit: String
    @OptionGroup var fields: Fields
    @Option var etag: String?

    func run() async throws {
      try await Session.run(global) { s in
        var (changes, paths) = try await fields.visit(s.names)
        guard !paths.isEmpty else { throw UsageError("nothing to update: give at least one field option") }
        changes.name = s.names.visit(visit)
        changes.etag = etag ?? ""
        let patch = changes
        let updated = try await s.visits.updateVisit(
          .with {
            $0.visit = patch
            $0.updateMask = .with { $0.paths = paths }
          }, options: s.options)
        try s.printer.print(updated) { Describe.visit(updated) }
      }
    }
  }

  struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Delete a visit.", discussion: "Examples:\n  summit visits delete visits/v1a2b3c4d5e6")
    @OptionGroup var global: GlobalOptions
    @Argument var visit: String
    @Option var etag: String?

    func run() async throws {
      try await Session.run(global) { s in
        let name = s.names.visit(visit)
        let empty = try await s.visits.deleteVisit(
          .with {
            $0.name = name
            $0.etag = etag ?? ""
          }, options: s.options)
        try s.printer.print(empty) { "deleted \(name)\n" }
      }
    }
  }

  struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print each change to visits as it is committed, until Ctrl-C.",
      discussion: "Examples:\n  summit visits watch\n  summit visits watch --visitor putin -o json\n  summit visits watch --after 1200")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only changes to visits by this leader.") var visitor: String?
    @Option(help: "Replay changes after this sequence first.") var after: Int64 = 0

    func run() async throws {
      try await Session.run(global, deadline: .never) { s in
        var request = Summit_V1_WatchVisitsRequest.with { $0.afterSequence = after }
        if let visitor { request.visitor = try await s.names.leader(visitor) }
        let watch = request
        try await UntilInterrupted.run {
          for try await event in s.visits.watchVisits(watch, options: s.options) {
            try s.printer.printEvent(event) {
              let v = event.visit ?? Summit_V1_Visit()
              return "#\(event.sequence) \(Describe.words(event.type)) \(v.name) \(Describe.short(v.visitor)) → \(v.hostCountry) \(Describe.days(v))"
            }
          }
        }
      }
    }
  }
}
