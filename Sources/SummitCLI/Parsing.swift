import SummitCodec

/// What users type, turned into API values: dates, enum words, parties.
enum Parse {
  static func date(_ text: String, option: String) throws -> Google_Type_Date {
    let parts = text.split(separator: "-")
    guard parts.count == 3, let y = Int32(parts[0]), let m = Int32(parts[1]), let d = Int32(parts[2]), parts[0].count == 4
    else { throw UsageError("\(option) must be a date YYYY-MM-DD, got \(text)") }
    return .with {
      $0.year = y
      $0.month = m
      $0.day = d
    }
  }

  /// An enum value from its words: `state-visit`, `state visit`, `STATE_VISIT`
  /// or the full name `VISIT_KIND_STATE_VISIT`.
  static func enumValue<E: ProtoEnum>(_ text: String, _: E.Type, option: String) throws -> E {
    let wanted = text.uppercased().replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: " ", with: "_")
    for value in E.knownCases where value.rawValue != 0 {
      guard let name = value.protoName else { continue }
      if name == wanted || name.hasSuffix("_" + wanted) { return value }
    }
    let choices = E.knownCases.filter { $0.rawValue != 0 }.map(words).joined(separator: ", ")
    throw UsageError("\(option) must be one of: \(choices); got \(text)")
  }

  /// `VISIT_KIND_STATE_VISIT` → `state-visit`: the words of an enum value
  /// without its type's prefix.
  static func words<E: ProtoEnum>(_ value: E) -> String {
    guard let name = value.protoName else { return String(value.rawValue) }
    let prefix = commonPrefix(E.knownCases.compactMap(\.protoName))
    return String(name.dropFirst(prefix.count)).lowercased().replacingOccurrences(of: "_", with: "-")
  }

  private static func commonPrefix(_ names: [String]) -> String {
    guard var prefix = names.first else { return "" }
    for n in names.dropFirst() { while !n.hasPrefix(prefix) { prefix.removeLast() } }
    // Keep whole words: up to the last underscore.
    if let cut = prefix.lastIndex(of: "_") { return String(prefix[...cut]) }
    return ""
  }
}

extension String {
  func replacingOccurrences(of a: String, with b: String) -> String { replacing(a, with: b) }
}
