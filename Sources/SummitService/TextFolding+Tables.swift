/// The per-scalar mappings of ``TextFolding``: width and case.
extension TextFolding {
  /// The ordinary form of a scalar of the Halfwidth and Fullwidth Forms
  /// block (U+FF00–U+FFEF, the only block CoreFoundation's width folding
  /// covers): itself where it has none; nil outside the block.
  static func widthFolded(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
    switch scalar.value {
    case 0xFF01...0xFF5E:
      return Unicode.Scalar(scalar.value - 0xFEE0)
    case 0xFF5F...0xFFEE:
      let mapped = halfwidthAndFullwidthForms[Int(scalar.value - 0xFF5F)]
      return mapped == 0 ? scalar : Unicode.Scalar(mapped)
    case 0xFF00, 0xFFEF:
      return scalar
    default:
      return nil
    }
  }

  /// The full case folding of `scalar`, or nil when it folds to itself.
  ///
  /// The standard library has lowercase and uppercase mappings but no case
  /// folding. Lowercasing, uppercasing, then lowercasing again gives the
  /// full folding for every scalar CoreFoundation folds (ß → SS → ss,
  /// ς → Σ → σ, ᾳ → ΑΙ → αι, ẞ → ß → SS → ss), and leaves dotless ı alone
  /// because ı neither lowercases nor changes when case-folded.
  ///
  /// CoreFoundation's table of foldings that differ from lowercasing
  /// predates Unicode 8.0: the lowercase letters given such a folding since
  /// (Cherokee small letters, Cyrillic ᲀ–ᲈ) are left as they are.
  static func caseFolded(_ scalar: Unicode.Scalar) -> String.UnicodeScalarView? {
    let lower = scalar.properties.lowercaseMapping
    if lower.unicodeScalars.elementsEqual(CollectionOfOne(scalar)) {
      guard scalar.properties.changesWhenCaseFolded, let age = scalar.properties.age, age < (8, 0) else { return nil }
    }
    let folded = lower.uppercased().lowercased().unicodeScalars
    return folded.elementsEqual(CollectionOfOne(scalar)) ? nil : folded
  }

  /// Compatibility mappings of U+FF5F…U+FFEE, fully decomposed (halfwidth
  /// Hangul to conjoining jamo, as CoreFoundation has them); 0 where a
  /// scalar has none or decomposes to more than one scalar (U+FFE3 → space
  /// + macron: CoreFoundation leaves those). Generated with Python's
  /// `unicodedata.normalize("NFKD", …)`.
  private static let halfwidthAndFullwidthForms: [UInt32] = [
    0x2985, 0x2986, 0x3002, 0x300C, 0x300D, 0x3001, 0x30FB, 0x30F2,  // U+FF5F
    0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9, 0x30E3, 0x30E5, 0x30E7,  // U+FF67
    0x30C3, 0x30FC, 0x30A2, 0x30A4, 0x30A6, 0x30A8, 0x30AA, 0x30AB,  // U+FF6F
    0x30AD, 0x30AF, 0x30B1, 0x30B3, 0x30B5, 0x30B7, 0x30B9, 0x30BB,  // U+FF77
    0x30BD, 0x30BF, 0x30C1, 0x30C4, 0x30C6, 0x30C8, 0x30CA, 0x30CB,  // U+FF7F
    0x30CC, 0x30CD, 0x30CE, 0x30CF, 0x30D2, 0x30D5, 0x30D8, 0x30DB,  // U+FF87
    0x30DE, 0x30DF, 0x30E0, 0x30E1, 0x30E2, 0x30E4, 0x30E6, 0x30E8,  // U+FF8F
    0x30E9, 0x30EA, 0x30EB, 0x30EC, 0x30ED, 0x30EF, 0x30F3, 0x3099,  // U+FF97
    0x309A, 0x1160, 0x1100, 0x1101, 0x11AA, 0x1102, 0x11AC, 0x11AD,  // U+FF9F
    0x1103, 0x1104, 0x1105, 0x11B0, 0x11B1, 0x11B2, 0x11B3, 0x11B4,  // U+FFA7
    0x11B5, 0x111A, 0x1106, 0x1107, 0x1108, 0x1121, 0x1109, 0x110A,  // U+FFAF
    0x110B, 0x110C, 0x110D, 0x110E, 0x110F, 0x1110, 0x1111, 0x1112,  // U+FFB7
    0x0000, 0x0000, 0x0000, 0x1161, 0x1162, 0x1163, 0x1164, 0x1165,  // U+FFBF
    0x1166, 0x0000, 0x0000, 0x1167, 0x1168, 0x1169, 0x116A, 0x116B,  // U+FFC7
    0x116C, 0x0000, 0x0000, 0x116D, 0x116E, 0x116F, 0x1170, 0x1171,  // U+FFCF
    0x1172, 0x0000, 0x0000, 0x1173, 0x1174, 0x1175, 0x0000, 0x0000,  // U+FFD7
    0x0000, 0x00A2, 0x00A3, 0x00AC, 0x0000, 0x00A6, 0x00A5, 0x20A9,  // U+FFDF
    0x0000, 0x2502, 0x2190, 0x2191, 0x2192, 0x2193, 0x25A0, 0x25CB,  // U+FFE7
  ]

  /// Scalars that Unicode 16.0 made Grapheme_Extend (spacing vowel signs
  /// and viramas of Kannada, Balinese, Javanese, …) and that
  /// CoreFoundation's older table still counts as base characters.
  static let marksSinceUnicode16: Set<UInt32> = [
    0x0CC0, 0x0CC7, 0x0CC8, 0x0CCA, 0x0CCB, 0x1715, 0x1734, 0x1B3B, 0x1B3D, 0x1B43, 0x1B44, 0x1BAA, 0x1BF2,
    0x1BF3, 0xA953, 0xA9C0, 0x111C0, 0x11235, 0x1134D, 0x116B6, 0x1193D, 0x11F41, 0x16FF0, 0x16FF1,
    0x1D166, 0x1D16D,
  ]

  /// The reverse: U+1171E AHOM CONSONANT SIGN MEDIAL RA, a nonspacing mark
  /// until Unicode 16.0 made it a spacing one, still a mark to CoreFoundation.
  static let marksBeforeUnicode16: Set<UInt32> = [0x1171E]
}
