/// How proto names become Swift names (the conventions swift-protobuf made
/// familiar: `Summit_V1_Leader`, lowerCamel properties, enum cases without the
/// enum's prefix) and how protoc-c 1.4.1 names its C types and symbols.
enum Naming {
  // MARK: Swift

  /// `summit.v1` → `Summit_V1_`; `grpc.reflection.v1alpha` → `Grpc_Reflection_V1alpha_`.
  static func swiftPrefix(package: String) -> String {
    guard !package.isEmpty else { return "" }
    return package.split(separator: ".").map { upperCamel(String($0)) }.joined(separator: "_") + "_"
  }

  /// `display_name` → `displayName`, with names Swift reserves escaped.
  static func swiftProperty(_ protoName: String) -> String {
    let camel = lowerCamelWithAcronyms(protoName)
    if clashingMemberNames.contains(camel) { return camel + "_p" }
    return escaped(camel)
  }

  /// `field_violations` → `FieldViolations` (oneof enum types).
  static func swiftTypeName(_ protoName: String) -> String {
    upperCamel(protoName)
  }

  /// Enum case names: `VISIT_KIND_STATE_VISIT` in `VisitKind` → `stateVisit`.
  static func swiftEnumCase(_ valueName: String, enumName: String) -> String {
    let prefix = cUpper(enumName) + "_"
    var trimmed = valueName
    if valueName.hasPrefix(prefix), valueName.count > prefix.count {
      trimmed = String(valueName.dropFirst(prefix.count))
      if let first = trimmed.first, first.isNumber { trimmed = valueName }
    }
    let camel = lowerCamel(trimmed.lowercased())
    if camel == "unrecognized" || camel == "rawValue" { return camel + "_" }
    return escaped(camel)
  }

  static func upperCamel(_ s: String) -> String {
    var result = ""
    var capitalizeNext = true
    for c in s {
      if c == "_" {
        capitalizeNext = true
      } else if capitalizeNext {
        result += c.uppercased()
        capitalizeNext = false
      } else {
        result.append(c)
      }
    }
    return result
  }

  /// lowerCamel with the Swift API guidelines' uniform acronyms after the
  /// first word: `request_id` → `requestID`, `type_url` → `typeURL`.
  static func lowerCamelWithAcronyms(_ s: String) -> String {
    let words = s.split(separator: "_", omittingEmptySubsequences: true).map(String.init)
    guard words.count > 1, words.allSatisfy({ $0 == $0.lowercased() }) else { return lowerCamel(s) }
    return words[0] + words.dropFirst().map { acronyms.contains($0) ? $0.uppercased() : upperCamel($0) }.joined()
  }

  private static let acronyms: Set<String> = ["id", "url", "uri", "http", "json", "utf8", "ttl"]

  static func lowerCamel(_ s: String) -> String {
    let upper = upperCamel(s)
    guard let first = upper.first else { return upper }
    return first.lowercased() + upper.dropFirst()
  }

  static func escaped(_ identifier: String) -> String {
    swiftKeywords.contains(identifier) ? "`\(identifier)`" : identifier
  }

  /// Names that would collide with members every generated message has.
  private static let clashingMemberNames: Set<String> = [
    "self", "unknownFields", "hashValue", "init", "debugDescription", "description",
    "serializedBytes", "visitFields", "protoMessageName", "with",
  ]

  private static let swiftKeywords: Set<String> = [
    "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import",
    "init", "inout", "internal", "let", "open", "operator", "private", "precedencegroup",
    "protocol", "public", "rethrows", "static", "struct", "subscript", "typealias", "var",
    "break", "case", "catch", "continue", "default", "defer", "do", "else", "fallthrough",
    "for", "guard", "if", "in", "repeat", "return", "throw", "switch", "where", "while",
    "Any", "as", "await", "false", "is", "nil", "super", "throws", "true", "try", "Type",
    "Protocol", "Self", "some", "any", "consume", "borrowing", "consuming", "package",
  ]

  // MARK: C (protoc-c 1.4.1)

  /// protoc-c's type name for a fully qualified message: `google.rpc.BadRequest.FieldViolation`
  /// → `Google__Rpc__BadRequest__FieldViolation`.
  static func cTypeName(fullName: String) -> String {
    fullName.split(separator: ".").map { upperCamel(String($0)) }.joined(separator: "__")
  }

  /// protoc-c's lower-case symbol stem: `summit.v1.ListVisitsResponse` →
  /// `summit__v1__list_visits_response` (its descriptor is `<stem>__descriptor`).
  static func cSymbolStem(fullName: String) -> String {
    fullName.split(separator: ".").map { cLower(String($0)) }.joined(separator: "__")
  }

  /// protoc-c's struct member name: the field name lower-cased, with C keywords
  /// given a trailing underscore.
  static func cField(_ protoName: String) -> String {
    let lower = protoName.lowercased()
    if cKeywords.contains(lower) { return lower + "_" }
    // Names Swift reads as something else after a dot need backticks.
    if ["self", "Type", "init", "Protocol"].contains(lower) { return "`\(lower)`" }
    return lower
  }

  /// protoc-c's CamelToLower: an underscore before each upper-case letter that
  /// follows a letter or digit that is not upper-case.
  static func cLower(_ s: String) -> String {
    var result = ""
    var previousWasUpper = true
    for c in s {
      let isUpper = c.isUppercase
      if isUpper && !previousWasUpper { result += "_" }
      result += c.lowercased()
      previousWasUpper = isUpper
    }
    return result
  }

  static func cUpper(_ s: String) -> String {
    cLower(s).uppercased()
  }

  private static let cKeywords: Set<String> = [
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
    "enum", "extern", "float", "for", "goto", "if", "int", "long", "register", "return",
    "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned",
    "void", "volatile", "while", "inline", "restrict", "bool", "_bool", "_complex",
    "_imaginary", "and", "and_eq", "asm", "bitand", "bitor", "catch", "class", "compl",
    "const_cast", "delete", "dynamic_cast", "explicit", "export", "false", "friend", "mutable",
    "namespace", "new", "not", "not_eq", "operator", "or", "or_eq", "private", "protected",
    "public", "reinterpret_cast", "static_cast", "template", "this", "throw", "true", "try",
    "typeid", "typename", "using", "virtual", "wchar_t", "xor", "xor_eq",
  ]
}
