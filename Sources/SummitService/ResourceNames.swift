/// Resource names (`leaders/vladimir-putin`) and the ids inside them.
enum ResourceNames {
  /// AIP-122 style ids: a lowercase letter, then letters, digits and single
  /// hyphens, at most 63 characters, not ending in a hyphen.
  static func isValidID(_ id: String) -> Bool {
    let bytes = Array(id.utf8)
    guard (1...63).contains(bytes.count), let first = bytes.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first),
      bytes.last != UInt8(ascii: "-")
    else { return false }
    var previous: UInt8 = 0
    for b in bytes {
      let ok = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
        || b == UInt8(ascii: "-")
      if !ok || (b == UInt8(ascii: "-") && previous == UInt8(ascii: "-")) { return false }
      previous = b
    }
    return true
  }

  /// The id in `name` when it is `<collection>/<valid id>`.
  static func id(of name: String, collection: String) -> String? {
    let prefix = collection + "/"
    guard name.hasPrefix(prefix) else { return nil }
    let id = String(name.dropFirst(prefix.count))
    return isValidID(id) ? id : nil
  }

  static let idRule = "lowercase letters, digits and single hyphens, starting with a letter, at most 63"

  /// The id a create asks for: `requested`, else the id inside the
  /// resource's `name`; "" when neither is given. A malformed name or id
  /// comes back as the violation to report (the id is then unusable).
  static func requestedID(
    _ requested: String, name: String, collection: String, nameField: String, idField: String
  ) -> (id: String, violation: ServiceErrors.Violation?) {
    var id = requested
    if id.isEmpty, !name.isEmpty {
      guard let fromName = self.id(of: name, collection: collection) else {
        return ("", .init(nameField, "\"\(name)\" is not a \(collection)/{id} name"))
      }
      id = fromName
    }
    if !id.isEmpty && !isValidID(id) {
      return (id, .init(idField, "\"\(id)\" is not a valid id: \(idRule)"))
    }
    return (id, nil)
  }

  /// A slug for generated ids: `Vladimir Putin` → `vladimir-putin`;
  /// diacritics dropped, other scripts give way to the fallback.
  static func slug(_ text: String, fallback: String) -> String {
    var out = ""
    for scalar in TextMatching.fold(text).unicodeScalars {
      if (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9") {
        out.unicodeScalars.append(scalar)
      } else if !out.isEmpty && !out.hasSuffix("-") {
        out += "-"
      }
    }
    while out.hasSuffix("-") { out.removeLast() }
    while let first = out.unicodeScalars.first, !(first >= "a" && first <= "z") { out.removeFirst() }
    if out.count > 50 { out = String(out.prefix(50)) }
    while out.hasSuffix("-") { out.removeLast() }
    return out.isEmpty ? fallback : out
  }

  /// A random 12-character id (`v` and 11 of [a-z0-9]).
  static func random(prefix: Character) -> String {
    let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
    return String(prefix) + String((0..<11).map { _ in alphabet.randomElement()! })
  }
}
