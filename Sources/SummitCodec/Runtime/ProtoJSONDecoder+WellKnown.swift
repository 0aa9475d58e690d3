/// The well-known types' special JSON forms, read back.
extension ProtoJSONDecoder {
  func wellKnown<M: ProtoMessage>(_: M.Type, _ value: JSONValue, field: String) throws(CodecError) -> M? {
    switch M.self {
    case is Google_Protobuf_Timestamp.Type:
      return try timestamp(value, field: field) as? M
    case is Google_Protobuf_Duration.Type:
      return try duration(value, field: field) as? M
    case is Google_Protobuf_FieldMask.Type:
      let text = try string(value, field: field)
      let paths = text.isEmpty ? [] : text.split(separator: ",").map { Self.snakeCase(String($0)) }
      return Google_Protobuf_FieldMask.with { $0.paths = paths } as? M
    case is Google_Protobuf_Any.Type:
      return try any(value, field: field) as? M
    default:
      return nil
    }
  }

  /// `2024-06-18T09:30:00Z`, `…00.5+03:00`: RFC 3339 with any offset.
  func timestamp(_ value: JSONValue, field: String) throws(CodecError) -> Google_Protobuf_Timestamp {
    let text = Array(try string(value, field: field).utf8)
    func digits(_ range: Range<Int>) -> Int64? {
      guard range.upperBound <= text.count else { return nil }
      var v: Int64 = 0
      for c in text[range] {
        guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) else { return nil }
        v = v * 10 + Int64(c - UInt8(ascii: "0"))
      }
      return v
    }
    guard text.count >= 20, text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"),
      text[10] == UInt8(ascii: "T") || text[10] == UInt8(ascii: "t"), text[13] == UInt8(ascii: ":"),
      text[16] == UInt8(ascii: ":"),
      let year = digits(0..<4), let month = digits(5..<7), let day = digits(8..<10),
      let hour = digits(11..<13), let minute = digits(14..<16), let second = digits(17..<19),
      year >= 1, (1...12).contains(month), (1...CivilDate.daysIn(year: year, month: month)).contains(day),
      hour < 24, minute < 60, second < 60
    else { throw invalid(field, "expected an RFC 3339 timestamp") }
    var i = 19
    var nanos: Int64 = 0
    if text[i] == UInt8(ascii: ".") {
      i += 1
      let start = i
      while i < text.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[i]) { i += 1 }
      let count = i - start
      guard (1...9).contains(count), let fraction = digits(start..<i) else { throw invalid(field, "bad fractional seconds") }
      nanos = fraction
      for _ in count..<9 { nanos *= 10 }
    }
    var offset: Int64 = 0
    guard i < text.count else { throw invalid(field, "timestamp needs Z or an offset") }
    if text[i] == UInt8(ascii: "Z") || text[i] == UInt8(ascii: "z") {
      i += 1
    } else if text[i] == UInt8(ascii: "+") || text[i] == UInt8(ascii: "-") {
      guard i + 6 == text.count, text[i + 3] == UInt8(ascii: ":"), let h = digits((i + 1)..<(i + 3)),
        let m = digits((i + 4)..<(i + 6))
      else { throw invalid(field, "bad offset") }
      offset = (h * 3600 + m * 60) * (text[i] == UInt8(ascii: "+") ? 1 : -1)
      i += 6
    }
    guard i == text.count else { throw invalid(field, "unexpected text after the timestamp") }
    let seconds = CivilDate.daysSinceEpoch(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
    return .with {
      $0.seconds = seconds
      $0.nanos = Int32(nanos)
    }
  }

  /// `1.5s`, `-0.000001s`.
  func duration(_ value: JSONValue, field: String) throws(CodecError) -> Google_Protobuf_Duration {
    var text = try string(value, field: field)
    guard text.hasSuffix("s") else { throw invalid(field, "a duration ends in s") }
    text.removeLast()
    let negative = text.hasPrefix("-")
    if negative { text.removeFirst() }
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard (1...2).contains(parts.count), let seconds = Int64(parts[0]), parts[0].allSatisfy(\.isNumber) else {
      throw invalid(field, "bad duration")
    }
    var nanos: Int64 = 0
    if parts.count == 2 {
      let f = parts[1]
      guard (1...9).contains(f.count), f.allSatisfy(\.isNumber), let v = Int64(f) else { throw invalid(field, "bad duration") }
      nanos = v
      for _ in f.count..<9 { nanos *= 10 }
    }
    return .with {
      $0.seconds = negative ? -seconds : seconds
      $0.nanos = Int32(negative ? -nanos : nanos)
    }
  }

  func any(_ value: JSONValue, field: String) throws(CodecError) -> Google_Protobuf_Any {
    guard case .object(let members) = value else { throw invalid(field, "expected an object") }
    guard let url = members.first(where: { $0.0 == "@type" }).map({ $0.1 }), case .string(let typeURL) = url else {
      throw invalid(field, "an Any needs @type")
    }
    let name = String(typeURL.split(separator: "/").last ?? "")
    guard let type = messageType(named: name) else {
      throw CodecError(code: .unknownType, message: "\(field): no schema defines \(typeURL)")
    }
    let rest = members.filter { $0.0 != "@type" }
    let isSpecial = [
      Google_Protobuf_Timestamp.protoMessageName, Google_Protobuf_Duration.protoMessageName,
      Google_Protobuf_FieldMask.protoMessageName, Google_Protobuf_Any.protoMessageName,
    ].contains(name)
    let body: JSONValue = isSpecial ? (rest.first { $0.0 == "value" }?.1 ?? .null) : .object(rest)
    let packed = try decodeOpened(type, body, field: field)
    return .with {
      $0.typeURL = typeURL
      $0.value = packed.serializedBytes()
    }
  }

  /// `message(_:_:field:)` for a type known only at run time (the existential opens here).
  private func decodeOpened<M: ProtoMessage>(_ type: M.Type, _ value: JSONValue, field: String) throws(CodecError)
    -> any ProtoMessage
  {
    try message(type, value, field: field)
  }

  /// `displayName` → `display_name`, as FieldMask paths are written in proto form.
  static func snakeCase(_ s: String) -> String {
    var out = ""
    for c in s {
      if c.isUppercase {
        out += "_" + c.lowercased()
      } else {
        out.append(c)
      }
    }
    return out
  }
}

extension CivilDate {
  static func isLeap(_ year: Int64) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

  static func daysIn(year: Int64, month: Int64) -> Int64 {
    switch month {
    case 2: isLeap(year) ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }

  /// Days from 1970-01-01 to a proleptic Gregorian date (the inverse of
  /// `fromDaysSinceEpoch`, after the same published algorithm).
  static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }
}
