import SummitCodec

/// Collects every field violation of a request, so that one answer names
/// them all instead of one per retry.
struct Validator {
  private(set) var violations: [ServiceErrors.Violation] = []

  mutating func fail(_ field: String, _ description: String) {
    violations.append(.init(field, description))
  }

  /// Throws INVALID_ARGUMENT with every violation collected, if any.
  func check() throws {
    if !violations.isEmpty { throw ServiceErrors.invalid(violations) }
  }

  mutating func required(_ value: String, _ field: String) {
    if value.trimmingSpaces().isEmpty { fail(field, "is required") }
  }

  /// Length in characters, and no control characters except, with
  /// `multiline`, tab and newline.
  mutating func text(_ value: String, _ field: String, max: Int, multiline: Bool = false) {
    if value.count > max { fail(field, "is longer than \(max) characters") }
    let allowed: Set<Unicode.Scalar> = multiline ? ["\t", "\n"] : []
    if value.unicodeScalars.contains(where: { ($0.value < 0x20 || $0.value == 0x7F) && !allowed.contains($0) }) {
      fail(field, "contains control characters")
    }
  }

  mutating func texts(_ values: [String], _ field: String, maxCount: Int, maxLength: Int) {
    if values.count > maxCount { fail(field, "has more than \(maxCount) entries") }
    for (i, v) in values.enumerated() {
      if v.trimmingSpaces().isEmpty { fail("\(field)[\(i)]", "is empty") }
      text(v, "\(field)[\(i)]", max: maxLength)
    }
  }

  mutating func country(_ value: String, _ field: String, required: Bool = true) {
    if value.isEmpty {
      if required { fail(field, "is required (an ISO 3166-1 alpha-2 code such as RU)") }
      return
    }
    if !CountryCodes.isAlpha2(value) { fail(field, "\(value) is not an ISO 3166-1 alpha-2 country code") }
  }

  /// A real calendar date, years 1–9999.
  mutating func date(_ value: Google_Type_Date?, _ field: String, required: Bool) {
    guard let d = value else {
      if required { fail(field, "is required") }
      return
    }
    if !CivilDates.isValid(d) { fail(field, "\(CivilDates.text(d)) is not a calendar date") }
  }

  mutating func enumValue<E: ProtoEnum>(_ value: E, _ field: String, required: Bool = true) {
    if value.protoName == nil {
      fail(field, "\(value.rawValue) is not a \(E.protoEnumName) value")
    } else if required && value.rawValue == 0 {
      fail(field, "is required")
    }
  }

  mutating func sources(_ sources: [Summit_V1_Source], _ field: String) {
    if sources.count > 50 { fail(field, "has more than 50 entries") }
    for (i, s) in sources.enumerated() {
      let path = "\(field)[\(i)]"
      text(s.title, "\(path).title", max: 500)
      text(s.publisher, "\(path).publisher", max: 200)
      text(s.url, "\(path).url", max: 2000)
      if !s.url.isEmpty && !(s.url.hasPrefix("https://") || s.url.hasPrefix("http://")) {
        fail("\(path).url", "must be an http or https URL")
      }
      date(s.published, "\(path).published", required: false)
    }
  }
}

extension String {
  func trimmingSpaces() -> Substring {
    let scalars = unicodeScalars.drop(while: { $0.properties.isWhitespace })
    let trimmed = String(String.UnicodeScalarView(scalars.reversed().drop(while: { $0.properties.isWhitespace }).reversed()))
    return trimmed[...]
  }
}
