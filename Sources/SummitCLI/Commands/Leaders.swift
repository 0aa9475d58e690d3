import ArgumentParser
import SummitAPI
import SummitCodec
import SummitRPC

struct Leaders: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Leaders: the people who visit, host, accuse and deny.",
    discussion: "Examples:\n  summit leaders list --country KP\n  summit leaders get putin\n  summit leaders resolve Путин \"President Kim\"",
    subcommands: [List.self, Get.self, Create.self, Update.self, Delete.self, Resolve.self])

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List leaders, by name.",
      discussion: "Examples:\n  summit leaders list\n  summit leaders list --country KP -o json")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only leaders of this ISO 3166-1 alpha-2 country.") var country: String?
    @Option(help: "Leaders per page (default 50, at most 1000).") var pageSize: Int32 = 0
    @Option(help: "Start from this page token (from a previous JSON result).") var pageToken: String?
    @Flag(help: "Fetch every page.") var all = false

    func run() async throws {
      try await Session.run(global) { s in
        let request = Summit_V1_ListLeadersRequest.with {
          $0.country = country?.uppercased() ?? ""
          $0.pageSize = pageSize
          $0.pageToken = pageToken ?? ""
        }
        let response = try await listPages(
          request, pageToken: \.pageToken, nextPageToken: \.nextPageToken, items: \.leaders, all: all
        ) { try await s.leaders.listLeaders($0, options: s.options) }
        try s.printer.print(response) { Describe.leaders(response.leaders) + more(response.nextPageToken) }
      }
    }
  }

  struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show one leader.", discussion: "Examples:\n  summit leaders get putin\n  summit leaders get leaders/kim-jong-un -o yaml")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The leader: leaders/ID, an id, or a name like putin.") var leader: String

    func run() async throws {
      try await Session.run(global) { s in
        let name = try await s.names.leader(leader)
        let found = try await s.leaders.getLeader(.with { $0.name = name }, options: s.options)
        try s.printer.print(found) { Describe.leader(found) }
      }
    }
  }

  struct Create: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Add a leader.",
      discussion: """
        Examples:
          summit leaders create --display-name "To Lam" --country VN --title "President of Vietnam" --alias "Tô Lâm"
        """)
    @OptionGroup var global: GlobalOptions
    @Option(help: "The name people read.") var displayName: String
    @Option(help: "ISO 3166-1 alpha-2 country code.") var country: String
    @Option(help: "Office held.") var title: String?
    @Option(help: "Another name (repeatable).") var alias: [String] = []
    @Option(help: "The id (default: from the display name).") var id: String?
    @Option(help: "Makes retries safe: a create repeated with it returns the first result.") var requestId: String?

    func run() async throws {
      try await Session.run(global) { s in
        let created = try await s.leaders.createLeader(
          .with {
            $0.leader = .with {
              $0.displayName = displayName
              $0.country = country.uppercased()
              $0.title = title ?? ""
              $0.aliases = alias
            }
            $0.leaderID = id ?? ""
            $0.requestID = requestId ?? ""
          }, options: s.options)
        try s.printer.print(created) { Describe.leader(created) }
      }
    }
  }

  struct Update: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Change a leader's fields (only those given).",
      discussion: "Examples:\n  summit leaders update to-lam --title \"General Secretary\"")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The leader.") var leader: String
    @Option var displayName: String?
    @Option var country: String?
    @Option var title: String?
    @Option(help: "Replaces all aliases (repeatable).") var alias: [String] = []
    @Option(help: "Refuse if the leader changed since this etag.") var etag: String?

    func run() async throws {
      try await Session.run(global) { s in
        let name = try await s.names.leader(leader)
        var paths: [String] = []
        var l = Summit_V1_Leader.with {
          $0.name = name
          $0.etag = etag ?? ""
        }
        if let displayName { l.displayName = displayName; paths.append("display_name") }
        if let country { l.country = country.uppercased(); paths.append("country") }
        if let title { l.title = title; paths.append("title") }
        if !alias.isEmpty { l.aliases = alias; paths.append("aliases") }
        guard !paths.isEmpty else { throw UsageError("nothing to update: give at least one field option") }
        let updated = try await s.leaders.updateLeader(
          .with {
            $0.leader = l
            $0.updateMask = .with { $0.paths = paths }
          }, options: s.options)
        try s.printer.print(updated) { Describe.leader(updated) }
      }
    }
  }

  struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Delete a leader.",
      discussion: "Refused while visits or allegations name the leader; --force also deletes the visits.\n\nExamples:\n  summit leaders delete to-lam")
    @OptionGroup var global: GlobalOptions
    @Argument var leader: String
    @Flag(help: "Also delete the visits by this leader.") var force = false
    @Option var etag: String?

    func run() async throws {
      try await Session.run(global) { s in
        let name = try await s.names.leader(leader)
        let empty = try await s.leaders.deleteLeader(
          .with {
            $0.name = name
            $0.force = force
            $0.etag = etag ?? ""
          }, options: s.options)
        try s.printer.print(empty) { "deleted \(name)\n" }
      }
    }
  }

  struct Resolve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Match free-text mentions to leaders (streams each answer as it comes).",
      discussion: "Examples:\n  summit leaders resolve Путин \"President Kim\"\n  cat mentions.txt | summit leaders resolve")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Mentions; none reads one per line from stdin.") var mentions: [String] = []
    @Option(help: "Matches per mention (default 5).") var maxMatches: Int32 = 0

    func run() async throws {
      try await Session.run(global, deadline: mentions.isEmpty ? .whenGiven : .always) { s in
        let inputs = mentions
        let limit = maxMatches
        try await s.leaders.resolveLeaders(options: s.options) { requests, responses in
          try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
              if inputs.isEmpty {
                while let line = readLine() {
                  guard !line.isEmpty else { continue }
                  try await requests.write(.with { $0.mention = line; $0.maxMatches = limit })
                }
              } else {
                for m in inputs { try await requests.write(.with { $0.mention = m; $0.maxMatches = limit }) }
              }
              try await requests.finish()
            }
            for try await answer in responses {
              try s.printer.printEvent(answer) {
                let best = answer.matches.map { "\(Describe.short($0.leader?.name ?? "")) (\($0.score))" }
                return "\(answer.mention): " + (best.isEmpty ? "no match" : best.joined(separator: ", "))
              }
            }
            try await group.waitForAll()
          }
        }
      }
    }
  }
}

/// The hint after a page that has more.
func more(_ token: String) -> String {
  token.isEmpty ? "" : "(more: add --all, or --page-token \(token))\n"
}
