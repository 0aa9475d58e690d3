/// Text normalisation for matching names: case, diacritics, width and
/// spacing folded away, so that `Vladímir PÚTIN` and `vladimir putin` meet.
enum TextMatching {
  static func fold(_ text: String) -> String {
    let folded = TextFolding.fold(text)
    var out = ""
    var pendingSpace = false
    for scalar in folded.unicodeScalars {
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

  /// Words of folded text.
  static func words(_ folded: String) -> [Substring] {
    folded.split(separator: " ")
  }
}
