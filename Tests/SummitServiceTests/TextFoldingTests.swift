import Foundation
import Testing

@testable import SummitService

/// ``TextFolding`` against what it replaces, Foundation's
/// `folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)`:
/// group terms folded by Foundation are stored in existing databases'
/// indexes, so the two must agree.
///
/// The one accepted difference: scalars first assigned in Unicode 16.0 or
/// later (Garay, Kirat Rai, Latin additions such as U+A7CB). Foundation's
/// tables predate them, so it neither lowercases them nor takes their new
/// marks for marks; the standard library knows them, and folding them
/// properly is kept. No stored term can predate the scalars it holds.
@Suite struct TextFoldingTests {
  static func foundationFold(_ text: String) -> String {
    text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
  }

  static func isNewerThanFoundation(_ scalar: Unicode.Scalar) -> Bool {
    scalar.properties.age.map { $0 >= (16, 0) } ?? false
  }

  /// Names, places and groups as users type them.
  static let tricky = [
    "", " ", "Vladimír PÚTIN", "Nguyễn Xuân Phúc", "Tô Lâm", "Phạm Minh Chính", "Võ Văn Thưởng", "ĐẶNG", "đặng",
    "Ø ø Æ æ Œ œ", "Łukasz Łódź", "Straße STRASSE ẞ", "İstanbul ISTANBUL ıi İı", "Σίσυφος ΟΔΥΣΣΕΥΣ σς",
    "Ἀθῆναι ᾼ ᾳ ᾈ", "Йошкар-Ола ёлка ЁЛКА й и\u{306}", "Зеленський Ukraine", "ＡＢＣ　ｘｙｚ１２３！",
    "ﾊﾟﾝ ｶﾞ ﾊﾝｸﾞﾙ ﾞ", "ﾡﾢ ￣ ￠", "e\u{301}\u{323}", "a\u{308}\u{304}\u{30C}", "\u{301}leading mark",
    "👍🏽 👨‍👩‍👧 🇰🇵🇷🇺", "x\u{1F3FB}", "ﬁ ﬀ ﬓ ŉ ǰ ΐ ẛ", "ǅ ǈ Ǆ", "Å Å K Ω", "김정은 한국어", "金正恩 習近平 豈",
    "שָׁלוֹם שׁ", "क़ि क\u{301}\u{301}", "بِّسْمِ", "ᎠᎡᎢ ꭰ ᏸ", "ᲀ ᲈ", "µ ſ", "Ⅷ ⓐ Ⓐ ① ㍻", "\u{0}\u{301}",
    "a\u{200D}b a\u{200C}b", "ก้า", "Kim Jong-un", "O'Brien", "São Tomé and Príncipe", "Côte d’Ivoire",
    "Curaçao", "Türkiye", "Ελλάδα", "Россия", "Україна", "中华人民共和国", "조선민주주의인민공화국",
  ]

  @Test(arguments: tricky) func matchesFoundationOnTrickyText(_ text: String) {
    #expect(TextFolding.fold(text) == Self.foundationFold(text), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
  }

  @Test func matchesFoundationOnTheSeed() throws {
    let json = try JSONSerialization.jsonObject(with: Data(Seeder.bundledSeed.utf8))
    var strings: [String] = []
    func collect(_ value: Any) {
      switch value {
      case let text as String: strings.append(text)
      case let array as [Any]: array.forEach(collect)
      case let object as [String: Any]: object.values.forEach(collect)
      default: break
      }
    }
    collect(json)
    #expect(strings.count > 100)
    for text in strings {
      #expect(TextFolding.fold(text) == Self.foundationFold(text), "\(text)")
      #expect(TextMatching.fold(text) == Self.matchingFoldWithFoundation(text), "\(text)")
    }
  }

  /// The news report the seed comes from, where the checkout has it beside
  /// the repository (the shared folder of the team's worktrees).
  @Test func matchesFoundationOnTheSeedArticle() throws {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../../shared/seed-article.txt").path
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
    for line in text.split(separator: "\n") {
      #expect(TextFolding.fold(String(line)) == Self.foundationFold(String(line)), "\(line)")
      for word in line.split(separator: " ") {
        #expect(TextMatching.fold(String(word)) == Self.matchingFoldWithFoundation(String(word)), "\(word)")
      }
    }
  }

  /// Every assigned scalar as a base followed by marks, as a mark after a
  /// Latin letter, and twice after a Hebrew letter (marks kept). Unassigned
  /// and private-use scalars and unified ideographs (neither cased, marked
  /// nor decomposable) are skipped: they are 95% of the code space, and
  /// scanning them made this test hog both cores of a small CI machine
  /// long enough to starve the timing-sensitive loopback tests beside it.
  @Test func matchesFoundationOnEveryAssignedScalar() {
    var differences: [String] = []
    for value in UInt32(0)...0x10FFFF {
      guard let scalar = Unicode.Scalar(value), !Self.isNewerThanFoundation(scalar),
        ![.unassigned, .privateUse].contains(scalar.properties.generalCategory),
        !scalar.properties.isUnifiedIdeograph
      else { continue }
      let s = String(scalar)
      let probe = s + "\u{301}\u{5B8}|a" + s + "|\u{5D0}" + s + s
      if TextFolding.fold(probe) != Self.foundationFold(probe) { differences.append(String(value, radix: 16)) }
    }
    #expect(differences.isEmpty, "U+\(differences.prefix(50).joined(separator: ", U+"))")
  }

  /// Random mixes of bases, marks of every combining class, joiners,
  /// fullwidth and halfwidth forms: how clusters are cut and marks ordered.
  @Test func matchesFoundationOnRandomMixes() {
    let pool: [UInt32] = [
      0x41, 0x61, 0x49, 0x130, 0x131, 0xDF, 0x1E9E, 0x3A3, 0x3C2, 0x390, 0x1FB3, 0x345, 0x301, 0x323, 0x308, 0x327,
      0x307, 0x5B8, 0x5C1, 0x5D0, 0xFB2A, 0x915, 0x93C, 0x94D, 0x903, 0x628, 0x64E, 0x651, 0x1F44D, 0x1F3FD, 0x200D,
      0x200C, 0xFF21, 0xFF8A, 0xFF9F, 0xFF9E, 0xFFA1, 0xFFE3, 0x3000, 0x20, 0x0, 0x419, 0x306, 0x110, 0x1EC5, 0xFB01,
      0x149, 0x587, 0x10400, 0x1D165, 0x1D16E, 0x20DD, 0xE49, 0xAC00, 0x1100, 0x212B, 0x37E, 0xF900, 0x13F8, 0x1C80,
      0x34F, 0x9BE, 0x2D,
    ]
    var generator = SplitMix64(seed: 6)
    var differences: [[UInt32]] = []
    for _ in 0..<20_000 {
      let scalars = (0..<Int(generator.next() % 8)).map { _ in pool[Int(generator.next() % UInt64(pool.count))] }
      let text = String(String.UnicodeScalarView(scalars.compactMap(Unicode.Scalar.init)))
      if TextFolding.fold(text) != Self.foundationFold(text) { differences.append(scalars) }
    }
    #expect(differences.isEmpty, "\(differences.prefix(10))")
  }

  /// More marks than CoreFoundation's cluster buffer holds.
  @Test(arguments: [63, 64, 65, 130]) func matchesFoundationOnLongMarkRuns(_ count: Int) {
    for (base, mark) in [("e", "\u{301}"), ("\u{915}", "\u{93C}"), ("\u{5D0}", "\u{301}"), ("ﬓ", "\u{5B8}")] {
      let text = base + String(repeating: mark, count: count)
      #expect(TextFolding.fold(text) == Self.foundationFold(text))
    }
  }

  @Test func foldsUnicode16LettersUnlikeFoundation() {
    // U+1C89 CYRILLIC CAPITAL LETTER TJE (Unicode 16.0) → U+1C8A.
    #expect(TextFolding.fold("\u{1C89}") == "\u{1C8A}")
    #expect(Self.foundationFold("\u{1C89}") == "\u{1C89}")
  }

  /// ``TextMatching/fold(_:)`` as it was, on Foundation's fold.
  static func matchingFoldWithFoundation(_ text: String) -> String {
    var out = ""
    var pendingSpace = false
    for scalar in foundationFold(text).unicodeScalars {
      if scalar.properties.isWhitespace || scalar == "-" || scalar == "." || scalar == "," || scalar == "'" || scalar == "’" {
        pendingSpace = !out.isEmpty
      } else {
        if pendingSpace { out += " " }
        pendingSpace = false
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}

/// A small seeded generator, so that a failure repeats.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
