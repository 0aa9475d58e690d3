import SummitAPI
import SummitCodec
import SummitRPC

/// Short names as people type them: `putin` for `leaders/vladimir-putin`,
/// `putin-pyongyang-2024` for `visits/putin-pyongyang-2024`.
struct Names {
  let leaders: Summit_V1_LeaderServiceClient
  let options: CallOptions

  func visit(_ text: String) -> String { text.hasPrefix("visits/") ? text : "visits/\(text)" }
  func allegation(_ text: String) -> String { text.hasPrefix("allegations/") ? text : "allegations/\(text)" }

  /// A leader's full name: given as such, an exact id, or the one clear best
  /// ResolveLeaders match.
  func leader(_ text: String) async throws -> String {
    if text.hasPrefix("leaders/") { return text }
    let looksLikeID = text.contains("-") && text == text.lowercased() && !text.contains(" ")
    do {
      return try await leaders.getLeader(.with { $0.name = "leaders/\(text)" }, options: options).name
    } catch let error as RPCError where (error.code == .notFound && !looksLikeID) || error.code == .invalidArgument {
      // Not an id: try it as a mention. (An id-shaped name that is absent is
      // an error as it stands, not a search.)
    }
    let matches = try await leaders.resolveLeaders(options: options) { requests, responses in
      try await requests.write(.with { $0.mention = text; $0.maxMatches = 5 })
      try await requests.finish()
      var all: [Summit_V1_LeaderMatch] = []
      for try await r in responses { all += r.matches }
      return all
    }
    guard let best = matches.first, let leader = best.leader else {
      throw RPCError(.notFound, "no leader matches \"\(text)\"")
    }
    let close = matches.dropFirst().filter { $0.score >= best.score - 0.05 }
    if !close.isEmpty {
      let names = ([best] + close).compactMap { $0.leader?.name }.joined(separator: ", ")
      throw UsageError("\"\(text)\" could be any of \(names); give one of these names")
    }
    return leader.name
  }

  /// A party: a country code (`KP`), `group:NAME`, or a leader.
  func party(_ text: String) async throws -> Summit_V1_Party {
    if text.hasPrefix("group:") { return .with { $0.group = String(text.dropFirst(6)) } }
    if text.hasPrefix("country:") { return .with { $0.country = String(text.dropFirst(8)).uppercased() } }
    if text.count == 2, text.allSatisfy({ $0.isLetter }) { return .with { $0.country = text.uppercased() } }
    let name = try await leader(text.hasPrefix("leader:") ? String(text.dropFirst(7)) : text)
    return .with { $0.leader = name }
  }
}
