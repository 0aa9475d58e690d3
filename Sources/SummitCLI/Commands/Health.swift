import ArgumentParser
import SummitAPI
import SummitCodec
import SummitRPC

struct Health: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Ask the server whether it (or one service) is serving. Exit 0 when SERVING.",
    discussion: "Examples:\n  summit health\n  summit health summit.v1.VisitService")
  @OptionGroup var global: GlobalOptions
  @Argument(help: "A service name; none asks about the server as a whole.") var service: String = ""

  func run() async throws {
    var serving = false
    try await Session.run(global) { s in
      let response = try await Grpc_Health_V1_HealthClient(s.channel).check(.with { $0.service = service }, options: s.options)
      serving = response.status == .serving
      try s.printer.print(response) { "\(response.status.protoName ?? String(response.status.rawValue))\n" }
    }
    if !serving { throw ExitCode(1) }
  }
}

struct Services: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List the services the server offers (through reflection) and their methods.",
    discussion: "Examples:\n  summit services\n  summit services -o json")
  @OptionGroup var global: GlobalOptions

  func run() async throws {
    try await Session.run(global) { s in
      let client = Grpc_Reflection_V1_ServerReflectionClient(s.channel)
      let names = try await client.serverReflectionInfo(options: s.options) { requests, responses in
        try await requests.write(.with { $0.listServices = "" })
        try await requests.finish()
        var names: [String] = []
        for try await r in responses {
          if case .listServicesResponse(let list)? = r.messageResponse { names += list.service.map(\.name) }
          if case .errorResponse(let e)? = r.messageResponse {
            throw RPCError(StatusCode(rawValue: Int(e.errorCode)), e.errorMessage)
          }
        }
        return names
      }
      let result = Grpc_Reflection_V1_ListServiceResponse.with { list in list.service = names.map { n in .with { $0.name = n } } }
      try s.printer.print(result) {
        var out = ""
        for name in names.sorted() {
          out += name + "\n"
          for m in SummitCodecSchema.services[name] ?? [] {
            let arrow = "\(m.kind.isClientStreaming ? "stream " : "")\(m.inputType) → \(m.kind.isServerStreaming ? "stream " : "")\(m.outputType)"
            out += "  \(m.method)(\(arrow))\n"
          }
        }
        return out
      }
    }
  }
}
