// summit: the command-line client of Summit. Everything lives in SummitCLI.
import ArgumentParser
import SummitCLI

@main
enum Entry {
  static func main() async {
    await SummitCommand.main(GlobalArguments.movedAfterSubcommands(Array(CommandLine.arguments.dropFirst())))
  }
}

/// Global options may come before the subcommand (`summit --server X leaders
/// list`); ArgumentParser reads them only on the leaf command, so they move there.
enum GlobalArguments {
  static let withValue: Set<String> = [
    "--server", "--timeout", "--output", "-o", "--token", "--ca-file", "--client-cert", "--client-key",
  ]
  static let flags: Set<String> = ["--tls"]

  static func movedAfterSubcommands(_ arguments: [String]) -> [String] {
    var leading: [String] = []
    var rest = arguments[...]
    while let first = rest.first {
      if flags.contains(first) {
        leading.append(first)
        rest = rest.dropFirst()
      } else if withValue.contains(first), rest.count >= 2 {
        leading += rest.prefix(2)
        rest = rest.dropFirst(2)
      } else if let name = first.split(separator: "=", maxSplits: 1).first, first.contains("="),
        withValue.contains(String(name))
      {
        leading.append(first)
        rest = rest.dropFirst()
      } else {
        break
      }
    }
    return Array(rest) + leading
  }
}
