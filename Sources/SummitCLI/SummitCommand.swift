public import ArgumentParser
import SummitAPI
import SummitHTTP2
import SummitRPC

/// `summit`: the command-line client.
public struct SummitCommand: AsyncParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "summit",
    abstract: "Query and edit Summit's record of leaders, visits and allegations.",
    discussion: """
      Talks to summitd over gRPC (--server, default 127.0.0.1:50051). Every command
      takes --server, --timeout, --output table|json|yaml and --token.

      Examples:
        summit visits list --visitor putin --year 2024
        summit allegations list --denied-by KP
        summit leaders get putin -o json
        summit visits import visits.csv
        summit visits watch

      Exit codes: 0 ok; 1 health not serving; 64 usage; 65 invalid input;
      66 not found; 67 conflict; 69 server unavailable; 70 server error;
      75 timeout or resource limit; 77 not allowed. See docs/cli.md.
      """,
    subcommands: [Leaders.self, Visits.self, Allegations.self, Health.self, Services.self, Completion.self])

  public init() {}
}

/// What a running command needs: a channel, clients, names, a printer.
struct Session {
  let channel: GRPCChannel
  let options: CallOptions
  let printer: Printer
  var leaders: Summit_V1_LeaderServiceClient { .init(channel) }
  var visits: Summit_V1_VisitServiceClient { .init(channel) }
  var allegations: Summit_V1_AllegationServiceClient { .init(channel) }
  var names: Names { Names(leaders: leaders, options: options) }

  /// Runs `body` with a session, reporting errors the CLI's way and closing
  /// the channel after.
  static func run(
    _ global: GlobalOptions, deadline: GlobalOptions.Deadline = .always, _ body: (Session) async throws -> Void
  ) async throws {
    try await CLIFailure.run {
      let session = Session(
        channel: try global.channel(), options: try global.callOptions(deadline: deadline), printer: Printer(format: global.format))
      do {
        try await body(session)
      } catch {
        await session.channel.close()
        throw error
      }
      await session.channel.close()
    }
  }
}

struct Completion: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print a shell completion script.",
    discussion: """
      Examples:
        summit completion bash > /etc/bash_completion.d/summit
        summit completion zsh > "${fpath[1]}/_summit"
        summit completion fish > ~/.config/fish/completions/summit.fish
      """)

  @Argument(help: "bash, zsh or fish.") var shell: String

  func run() throws {
    guard let kind = CompletionShell(rawValue: shell) else { throw ValidationError("shell must be bash, zsh or fish") }
    print(SummitCommand.completionScript(for: kind))
  }
}
