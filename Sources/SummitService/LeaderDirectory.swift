import SummitCodec
import SummitStore
import Synchronization

/// The leaders, held in memory for ResolveLeaders and refreshed whenever the
/// change feed reports a leader change. Small (hundreds of records), read
/// for every mention.
final class LeaderDirectory: Sendable {
  private struct State {
    var matcher: LeaderMatcher?
    var generation = 0
  }
  /// Shared with the watching task, which must not keep the directory alive.
  private final class Cache: Sendable {
    let state = Mutex(State())
  }
  private let cache = Cache()
  private let store: any ResourceStore
  private let watcher: Task<Void, Never>

  init(store: any ResourceStore) {
    self.store = store
    let cache = self.cache
    watcher = Task {
      // Resubscribes if it falls behind; any leader change drops the snapshot.
      while !Task.isCancelled {
        do {
          for try await change in store.feed.subscribe() where change.collection == .leaders {
            cache.state.withLock {
              $0.matcher = nil
              $0.generation += 1
            }
          }
        } catch {
          cache.state.withLock {
            $0.matcher = nil
            $0.generation += 1
          }
        }
      }
    }
  }

  deinit {
    watcher.cancel()
  }

  /// A matcher over the current leaders.
  func matcher() async throws -> LeaderMatcher {
    let (cached, generation) = cache.state.withLock { ($0.matcher, $0.generation) }
    if let cached { return cached }
    var leaders: [Summit_V1_Leader] = []
    var query = ListQuery(collection: .leaders, limit: 1000)
    while true {
      let page = try await storeCall { try await store.list(query) }
      leaders += try page.map(Summit_V1_Leader.from)
      guard page.count == query.limit, let last = page.last else { break }
      query.after = (last.sortKey, last.id)
    }
    let matcher = LeaderMatcher(leaders: leaders)
    cache.state.withLock { if $0.generation == generation { $0.matcher = matcher } }
    return matcher
  }
}

/// Ranks leaders against a free-text mention by their names and aliases,
/// with case, diacritics, punctuation and word order folded away.
struct LeaderMatcher: Sendable {
  private struct Candidate: Sendable {
    var leader: Summit_V1_Leader
    /// (original text, folded words) per name and alias.
    var names: [(text: String, words: [Substring], folded: String)]
  }
  private let candidates: [Candidate]

  init(leaders: [Summit_V1_Leader]) {
    candidates = leaders.map { leader in
      let texts = [leader.displayName] + leader.aliases
      return Candidate(
        leader: leader,
        names: texts.map { text in
          let folded = TextMatching.fold(text)
          return (text, TextMatching.words(folded), folded)
        })
    }
  }

  func matches(for mention: String, limit: Int) -> [Summit_V1_LeaderMatch] {
    let folded = TextMatching.fold(mention)
    let words = TextMatching.words(folded)
    guard !words.isEmpty else { return [] }
    var scored: [(score: Double, matched: String, leader: Summit_V1_Leader)] = []
    for candidate in candidates {
      var best: (Double, String) = (0, "")
      for name in candidate.names {
        let s = Self.score(mention: words, mentionText: folded, name: name.words, nameText: name.folded)
        if s > best.0 { best = (s, name.text) }
      }
      if best.0 > 0 { scored.append((best.0, best.1, candidate.leader)) }
    }
    scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.leader.name < $1.leader.name }
    return scored.prefix(limit).map { entry in
      .with {
        $0.leader = entry.leader
        $0.score = (entry.score * 1000).rounded() / 1000
        $0.matched = entry.matched
      }
    }
  }

  /// 1 for the same name; then containment either way; then word overlap;
  /// then a near spelling of a long word. 0 for no match.
  static func score(mention: [Substring], mentionText: String, name: [Substring], nameText: String) -> Double {
    guard !name.isEmpty else { return 0 }
    if mentionText == nameText { return 1 }
    let m = Set(mention)
    let n = Set(name)
    let shared = m.intersection(n)
    let common = shared.count
    if common == m.count { return 0.6 + 0.3 * Double(m.count) / Double(n.count) }
    if common == n.count { return 0.55 + 0.3 * Double(n.count) / Double(m.count) }
    // Sharing only a title ("president") is not a match.
    if !shared.subtracting(titleWords).isEmpty { return 0.4 * Double(common) / Double(m.union(n).count) }
    for a in mention where a.count >= 5 && !titleWords.contains(a) {
      for b in name where b.count >= 5 && !titleWords.contains(b) && editDistanceAtMostOne(a, b) { return 0.3 }
    }
    return 0
  }

  /// Words of office and filler that say nothing of who is meant.
  static let titleWords: Set<Substring> = [
    "president", "prime", "minister", "premier", "chancellor", "general", "secretary", "chairman", "leader", "king",
    "queen", "supreme", "mr", "mrs", "ms", "dr", "the", "of", "and", "state", "affairs",
  ]

  static func editDistanceAtMostOne(_ a: Substring, _ b: Substring) -> Bool {
    let x = Array(a.unicodeScalars)
    let y = Array(b.unicodeScalars)
    if abs(x.count - y.count) > 1 { return false }
    var i = 0
    var j = 0
    var edits = 0
    while i < x.count && j < y.count {
      if x[i] == y[j] {
        i += 1
        j += 1
        continue
      }
      edits += 1
      if edits > 1 { return false }
      if x.count > y.count {
        i += 1
      } else if y.count > x.count {
        j += 1
      } else {
        i += 1
        j += 1
      }
    }
    return edits + (x.count - i) + (y.count - j) <= 1
  }
}
