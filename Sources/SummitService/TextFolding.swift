// `_nfd` (canonical decomposition) is standard-library SPI: the stdlib has
// no public normalisation API yet. It is chosen over a decomposition table
// of our own (some 2,000 entries to generate and keep in step with Unicode)
// because swift-foundation's FoundationEssentials relies on the same SPI for
// its own normalisation, so toolchains keep it working; should it ever go,
// this file stops compiling rather than folding differently at run time.
@_spi(_Unicode) import Swift

/// Case, diacritic and width folding without Foundation: the same result as
/// Foundation's `folding(options: [.caseInsensitive, .diacriticInsensitive,
/// .widthInsensitive], locale: nil)` on Linux, which is what folded the
/// terms already stored in databases' search indexes.
///
/// Foundation's fold is not "NFD, drop marks, case-fold": it is
/// CoreFoundation's cluster fold (`__CFStringFoldCharacterClusterAtIndex`),
/// and stored terms depend on its particulars, which this reproduces:
/// - Diacritics are removed only from Latin, Greek and Cyrillic (a base
///   below U+0510). Other scripts keep their marks (Hebrew points, Devanagari
///   nukta), in canonical order; only a first mark in U+0300–U+050F after an
///   unchanged base of another script is dropped.
/// - "Mark" means a grapheme extender (``isMark(_:)``): emoji skin tones
///   and halfwidth katakana voicing marks count, spacing marks such as
///   U+0903 do not.
/// - Case folding is full folding (ß → ss, ﬁ → fi, ς → σ, ŉ → ʼn), with no
///   Turkish special case: İ → i, ı stays ı.
/// - Width folding covers U+FF00–U+FFEF only (fullwidth ASCII, halfwidth
///   katakana and Hangul); U+3000 (ideographic space) is left alone.
///
/// TextFoldingTests compares the two on every scalar and on random mixes;
/// they differ only on scalars newer (Unicode 16+) than CoreFoundation's
/// tables, which this folds as Unicode says.
enum TextFolding {
  /// CoreFoundation folds a cluster into a buffer of this many scalars;
  /// marks past it start a cluster of their own.
  static let clusterLimit = 64

  static func fold(_ text: String) -> String {
    let scalars = Array(text.unicodeScalars)
    var out = String.UnicodeScalarView()
    var index = 0
    var cluster: [Unicode.Scalar] = []
    while index < scalars.count {
      cluster.removeAll(keepingCapacity: true)
      let next = foldCluster(scalars, at: index, into: &cluster)
      if cluster.isEmpty {
        out.append(scalars[index])
        index += 1
      } else {
        out.append(contentsOf: cluster)
        index = next
      }
    }
    return String(out)
  }

  /// Folds the cluster starting at `start` into `out` (left empty when the
  /// cluster is unchanged); returns the index after the scalars it consumed.
  private static func foldCluster(_ scalars: [Unicode.Scalar], at start: Int, into out: inout [Unicode.Scalar]) -> Int {
    var character = scalars[start]
    var next = start + 1
    // CoreFoundation leaves NUL, and whatever it would have taken as marks,
    // to the clusters after it.
    guard character.value != 0 else { return next }
    if character.value < 0x80 {
      if ("A"..."Z").contains(character) {
        character = Unicode.Scalar(character.value + 0x20)!
        out = [character]
      }
    } else {
      if let ordinary = widthFolded(character) {
        character = ordinary
        out = [character]
      }
      let decomposed = canonicalDecomposition(of: character)
      if decomposed != [character], let base = decomposed.first {
        // Only the base is kept: the marks go, or (other scripts) the
        // character stays composed.
        if base.value < 0x510 {
          character = base
          out = [base]
        } else {
          out = []  // (even a width fold's result, as in CoreFoundation)
        }
      }
      if let folded = caseFolded(character) {
        let dropMarks = character.value < 0x510
        out = []
        for scalar in folded {
          character = scalar
          if !dropMarks || !isMark(scalar) { out.append(scalar) }
        }
      }
    }
    // The marks that follow: dropped after Latin, Greek and Cyrillic, kept
    // (decomposed) after anything else.
    var keepMarks = character.value >= 0x510
    if out.isEmpty && keepMarks {
      if next < scalars.count, isMark(scalars[next]) {
        out = [character]
        if scalars[next].value > 0x50F { out += canonicalDecomposition(of: scalars[next]) }
        next += 1
      } else {
        keepMarks = false
      }
    }
    while out.count < clusterLimit, next < scalars.count, isMark(scalars[next]) {
      if keepMarks {
        let marks = canonicalDecomposition(of: scalars[next])
        if out.count + marks.count > clusterLimit { break }
        out += marks
      } else if out.isEmpty {
        out = [character]
      }
      next += 1
    }
    sortTrailingMarks(&out)
    return next
  }

  /// Puts the marks at the end of a folded cluster in combining-class order,
  /// as CoreFoundation does: a stable sort that leaves class-0 scalars at
  /// the front of the run in place.
  private static func sortTrailingMarks(_ out: inout [Unicode.Scalar]) {
    guard out.count > 1 else { return }
    var start = out.count - 1
    while start > 0 && isMark(out[start]) { start -= 1 }
    while start < out.count && out[start].properties.canonicalCombiningClass.rawValue == 0 { start += 1 }
    guard out.count - start > 1 else { return }
    let sorted = out[start...].enumerated().sorted {
      let (a, b) = ($0.element.properties.canonicalCombiningClass.rawValue, $1.element.properties.canonicalCombiningClass.rawValue)
      return a != b ? a < b : $0.offset < $1.offset
    }
    out.replaceSubrange(start..., with: sorted.map(\.element))
  }

  /// What CoreFoundation takes for a diacritic: a scalar that extends the
  /// grapheme cluster before it, by its table (Grapheme_Extend plus emoji
  /// modifiers, as of Unicode 15).
  static func isMark(_ scalar: Unicode.Scalar) -> Bool {
    if scalar.properties.isGraphemeExtend { return !marksSinceUnicode16.contains(scalar.value) }
    return scalar.properties.isEmojiModifier || marksBeforeUnicode16.contains(scalar.value)
  }

  /// The full canonical decomposition of one scalar (itself when it has none).
  static func canonicalDecomposition(of scalar: Unicode.Scalar) -> [Unicode.Scalar] {
    Array(String(scalar)._nfd)
  }
}
