import ArgumentParser
import SummitAPI
import SummitCodec
import SummitRPC

struct Allegations: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Allegations: who accused whom of what, and who answered how.",
    discussion: "Examples:\n  summit allegations list --denied-by KP\n  summit allegations respond north-korean-artillery-shells-to-russia \\\n      --party KP --stance deny",
    subcommands: [List.self, Get.self, Create.self, Update.self, Respond.self, Watch.self])

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List allegations, by date first reported.",
      discussion: """
        PARTY is a country code (KP), a leader (putin, leaders/kim-jong-un) or group:NAME.

        Examples:
          summit allegations list --denied-by KP
          summit allegations list --accused KP --category arms-transfer
          summit allegations list --status denied -o json
        """)
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only allegations with this party among the accusers.") var accuser: String?
    @Option(help: "Only allegations with this party among the accused.") var accused: String?
    @Option(help: "military-aid, arms-transfer, sanctions-violation, technology-transfer or other.") var category: String?
    @Option(help: "alleged, denied, confirmed or retracted.") var status: String?
    @Option(help: "Only allegations this party has denied (a response with stance deny).") var deniedBy: String?
    @Option(help: "Allegations per page (default 50, at most 1000).") var pageSize: Int32 = 0
    @Option var pageToken: String?
    @Flag(help: "Fetch every page.") var all = false

    func run() async throws {
      try await Session.run(global) { s in
        var request = Summit_V1_ListAllegationsRequest.with {
          $0.pageSize = pageSize
          $0.pageToken = pageToken ?? ""
        }
        if let accuser { request.accuser = try await s.names.party(accuser) }
        if let accused { request.accused = try await s.names.party(accused) }
        if let category { request.category = try Parse.enumValue(category, Summit_V1_AllegationCategory.self, option: "--category") }
        if let status { request.status = try Parse.enumValue(status, Summit_V1_AllegationStatus.self, option: "--status") }
        var denier: Summit_V1_Party?
        if let deniedBy { denier = try await s.names.party(deniedBy) }
        // --denied-by needs every page: it filters what the server returns.
        var response = try await listPages(
          request, pageToken: \.pageToken, nextPageToken: \.nextPageToken, items: \.allegations, all: all || denier != nil
        ) { try await s.allegations.listAllegations($0, options: s.options) }
        if let denier {
          response.allegations = response.allegations.filter { a in
            a.responses.contains { $0.stance == .deny && $0.party == denier }
          }
        }
        try s.printer.print(response) { Describe.allegations(response.allegations) + more(response.nextPageToken) }
      }
    }
  }

  struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show one allegation with its responses.",
      discussion: "Examples:\n  summit allegations get north-korean-artillery-shells-to-russia")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "allegations/ID or the id.") var allegation: String

    func run() async throws {
      try await Session.run(global) { s in
        let found = try await s.allegations.getAllegation(.with { $0.name = s.names.allegation(allegation) }, options: s.options)
        try s.printer.print(found) { Describe.allegation(found) }
      }
    }
  }

  struct Create: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Record an allegation.",
      discussion: """
        Examples:
          summit allegations create --accuser KR --accused KP \\
            --category arms-transfer --first-reported 2023-10-13 \\
            --summary "Shipments of artillery shells to Russia"
        """)
    @OptionGroup var global: GlobalOptions
    @Option(help: "An accusing party (repeatable).") var accuser: [String] = []
    @Option(help: "An accused party (repeatable).") var accused: [String] = []
    @Option var summary: String
    @Option(help: "military-aid, arms-transfer, sanctions-violation, technology-transfer or other.") var category: String
    @Option(help: "YYYY-MM-DD.") var firstReported: String?
    @Option var id: String?
    @Option var requestId: String?

    func run() async throws {
      try await Session.run(global) { s in
        var a = Summit_V1_Allegation.with { $0.summary = summary }
        for p in accuser { a.accusers.append(try await s.names.party(p)) }
        for p in accused { a.accused.append(try await s.names.party(p)) }
        a.category = try Parse.enumValue(category, Summit_V1_AllegationCategory.self, option: "--category")
        if let firstReported { a.firstReported = try Parse.date(firstReported, option: "--first-reported") }
        let allegation = a
        let created = try await s.allegations.createAllegation(
          .with {
            $0.allegation = allegation
            $0.allegationID = id ?? ""
            $0.requestID = requestId ?? ""
          }, options: s.options)
        try s.printer.print(created) { Describe.allegation(created) }
      }
    }
  }

  struct Update: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Change an allegation's fields (only those given).",
      discussion: "Examples:\n  summit allegations update north-korean-artillery-shells-to-russia \\\n      --summary \"Shipments of shells and missiles to Russia\"")
    @OptionGroup var global: GlobalOptions
    @Argument var allegation: String
    @Option var summary: String?
    @Option var category: String?
    @Option(help: "Replaces the accusers (repeatable).") var accuser: [String] = []
    @Option(help: "Replaces the accused (repeatable).") var accused: [String] = []
    @Option var firstReported: String?
    @Option var etag: String?

    func run() async throws {
      try await Session.run(global) { s in
        var a = Summit_V1_Allegation.with {
          $0.name = s.names.allegation(allegation)
          $0.etag = etag ?? ""
        }
        var paths: [String] = []
        if let summary { a.summary = summary; paths.append("summary") }
        if let category {
          a.category = try Parse.enumValue(category, Summit_V1_AllegationCategory.self, option: "--category")
          paths.append("category")
        }
        if !accuser.isEmpty {
          for p in accuser { a.accusers.append(try await s.names.party(p)) }
          paths.append("accusers")
        }
        if !accused.isEmpty {
          for p in accused { a.accused.append(try await s.names.party(p)) }
          paths.append("accused")
        }
        if let firstReported { a.firstReported = try Parse.date(firstReported, option: "--first-reported"); paths.append("first_reported") }
        guard !paths.isEmpty else { throw UsageError("nothing to update: give at least one field option") }
        let patch = a
        let mask = paths
        let updated = try await s.allegations.updateAllegation(
          .with {
            $0.allegation = patch
            $0.updateMask = .with { $0.paths = mask }
          }, options: s.options)
        try s.printer.print(updated) { Describe.allegation(updated) }
      }
    }
  }

  struct Respond: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Record a party's answer to an allegation; the status follows.",
      discussion: """
        A denial by an accused party makes the status denied; a confirmation, confirmed; \
        a retraction by an accuser, retracted.

        Examples:
          summit allegations respond north-korean-artillery-shells-to-russia \\
            --party KP --stance deny --date 2023-10-14 \\
            --statement "Pyongyang called the reports absurd"
        """)
    @OptionGroup var global: GlobalOptions
    @Argument var allegation: String
    @Option(help: "Who answered: a country code, a leader or group:NAME.") var party: String
    @Option(help: "deny, confirm, downplay, no-comment or retract.") var stance: String
    @Option var statement: String?
    @Option(help: "YYYY-MM-DD.") var date: String?
    @Option var requestId: String?

    func run() async throws {
      try await Session.run(global) { s in
        var response = Summit_V1_AllegationResponse.with { $0.statement = statement ?? "" }
        response.party = try await s.names.party(party)
        response.stance = try Parse.enumValue(stance, Summit_V1_Stance.self, option: "--stance")
        if let date { response.date = try Parse.date(date, option: "--date") }
        let answer = response
        let updated = try await s.allegations.respondToAllegation(
          .with {
            $0.name = s.names.allegation(allegation)
            $0.response = answer
            $0.requestID = requestId ?? ""
          }, options: s.options)
        try s.printer.print(updated) { Describe.allegation(updated) }
      }
    }
  }

  struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print each change to allegations as it is committed, until Ctrl-C.",
      discussion: "Examples:\n  summit allegations watch -o json")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Replay changes after this sequence first.") var after: Int64 = 0

    func run() async throws {
      try await Session.run(global, deadline: .never) { s in
        let request = Summit_V1_WatchAllegationsRequest.with { $0.afterSequence = after }
        try await UntilInterrupted.run {
          for try await event in s.allegations.watchAllegations(request, options: s.options) {
            try s.printer.printEvent(event) {
              let a = event.allegation ?? Summit_V1_Allegation()
              return "#\(event.sequence) \(Describe.words(event.type)) \(a.name) \(Describe.words(a.status)): \(a.summary)"
            }
          }
        }
      }
    }
  }
}
