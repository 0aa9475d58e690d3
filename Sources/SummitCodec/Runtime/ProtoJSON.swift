/// Renders messages in protobuf's canonical proto3 JSON mapping: lowerCamel
/// field names, 64-bit integers as strings, enums by name, bytes in base64,
/// and the well-known types (Timestamp, Duration, FieldMask, Empty, Any) in
/// their special forms. Any independent proto3 JSON parser reads the output.
public struct ProtoJSONEncoder: Sendable {
  private let typesByName: [String: any ProtoMessage.Type]

  /// - Parameter messageTypes: the types an `Any` may hold; defaults to every
  ///   type of the served schemas.
  public init(messageTypes: [any ProtoMessage.Type] = SummitCodecSchema.messageTypes) {
    var byName: [String: any ProtoMessage.Type] = [:]
    for t in messageTypes { byName[t.protoMessageName] = t }
    typesByName = byName
  }

  /// The message as one line of JSON.
  /// - Throws: ``CodecError`` for an `Any` of an unknown type or a
  ///   Timestamp/Duration outside the range JSON can express.
  public func encode(_ message: some ProtoMessage) throws(CodecError) -> String {
    var out = ""
    try write(message, into: &out)
    return out
  }

  func write(_ message: any ProtoMessage, into out: inout String) throws(CodecError) {
    if try writeWellKnown(message, into: &out) { return }
    out += "{"
    try writeFields(of: message, into: &out, first: true)
    out += "}"
  }

  /// Writes the message's fields as members of an object already opened.
  private func writeFields(of message: any ProtoMessage, into out: inout String, first: Bool) throws(CodecError) {
    var writer = FieldWriter(encoder: self, out: out, first: first)
    message.visitFields(&writer)
    if let error = writer.error { throw error }
    out = writer.out
  }

  private struct FieldWriter: ProtoVisitor {
    let encoder: ProtoJSONEncoder
    var out: String
    var first: Bool
    var error: CodecError?

    mutating func visit(_ value: ProtoValue, _ field: ProtoFieldInfo) {
      guard error == nil else { return }
      if !first { out += "," }
      first = false
      ProtoJSONEncoder.writeString(field.jsonName, into: &out)
      out += ":"
      do throws(CodecError) {
        try encoder.writeValue(value, into: &out)
      } catch {
        self.error = error
      }
    }
  }

  func writeValue(_ value: ProtoValue, into out: inout String) throws(CodecError) {
    switch value {
    case .int32(let v): out += String(v)
    case .uint32(let v): out += String(v)
    case .int64(let v): out += "\"\(v)\""
    case .uint64(let v): out += "\"\(v)\""
    case .float(let v): Self.writeFloatingPoint(Double(v), shortest: v.description, into: &out)
    case .double(let v): Self.writeFloatingPoint(v, shortest: v.description, into: &out)
    case .bool(let v): out += v ? "true" : "false"
    case .string(let v): Self.writeString(v, into: &out)
    case .bytes(let v): out += "\"" + Base64.encode(v) + "\""
    case .enumeration(let e):
      if let name = e.protoName { Self.writeString(name, into: &out) } else { out += String(e.rawValue) }
    case .message(let m): try write(m, into: &out)
    case .repeated(let values):
      out += "["
      for (i, v) in values.enumerated() {
        if i > 0 { out += "," }
        try writeValue(v, into: &out)
      }
      out += "]"
    case .map(let entries):
      out += "{"
      for (i, entry) in entries.enumerated() {
        if i > 0 { out += "," }
        Self.writeString(Self.mapKey(entry.key), into: &out)
        out += ":"
        try writeValue(entry.value, into: &out)
      }
      out += "}"
    }
  }

  private static func mapKey(_ key: ProtoValue) -> String {
    switch key {
    case .string(let s): s
    case .bool(let b): b ? "true" : "false"
    case .int32(let v): String(v)
    case .int64(let v): String(v)
    case .uint32(let v): String(v)
    case .uint64(let v): String(v)
    default: ""
    }
  }

  /// Finite numbers as Swift's shortest round-trip text (valid JSON numbers);
  /// the others as the strings proto3 JSON names them.
  private static func writeFloatingPoint(_ v: Double, shortest: String, into out: inout String) {
    if v.isNaN {
      out += "\"NaN\""
    } else if v.isInfinite {
      out += v < 0 ? "\"-Infinity\"" : "\"Infinity\""
    } else {
      out += shortest
    }
  }

  static func writeString(_ s: String, into out: inout String) {
    out += "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{08}": out += "\\b"
      case "\u{0C}": out += "\\f"
      case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    out += "\""
  }
}

// MARK: Well-known types

extension ProtoJSONEncoder {
  /// Writes the special JSON form of a well-known type; false for other types.
  private func writeWellKnown(_ message: any ProtoMessage, into out: inout String) throws(CodecError) -> Bool {
    switch message {
    case let t as Google_Protobuf_Timestamp:
      out += "\"" + (try Self.rfc3339(t)) + "\""
    case let d as Google_Protobuf_Duration:
      out += "\"" + (try Self.durationText(d)) + "\""
    case let m as Google_Protobuf_FieldMask:
      Self.writeString(m.paths.map { Naming.lowerCamel($0) }.joined(separator: ","), into: &out)
    case let any as Google_Protobuf_Any:
      try writeAny(any, into: &out)
    default:
      return false
    }
    return true
  }

  private func writeAny(_ any: Google_Protobuf_Any, into out: inout String) throws(CodecError) {
    let name = String(any.typeURL.split(separator: "/").last ?? "")
    guard let type = typesByName[name] else {
      throw CodecError(code: .unknownType, message: "Any holds \(any.typeURL), which no schema here defines")
    }
    let packed = try type.init(serializedBytes: any.value)
    out += "{\"@type\":"
    Self.writeString(any.typeURL, into: &out)
    var special = ""
    if try writeWellKnown(packed, into: &special) {
      out += ",\"value\":" + special
    } else {
      try writeFields(of: packed, into: &out, first: false)
    }
    out += "}"
  }

  /// `2024-06-18T00:00:00Z`, with 0, 3, 6 or 9 fractional digits.
  static func rfc3339(_ t: Google_Protobuf_Timestamp) throws(CodecError) -> String {
    // 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, as seconds since 1970.
    guard t.seconds >= -62_135_596_800, t.seconds <= 253_402_300_799, (0..<1_000_000_000).contains(t.nanos) else {
      throw CodecError(code: .invalidValue, message: "Timestamp \(t.seconds)s \(t.nanos)ns is outside 0001–9999")
    }
    let days = t.seconds >= 0 ? t.seconds / 86_400 : (t.seconds - 86_399) / 86_400
    let secondOfDay = t.seconds - days * 86_400
    let (year, month, day) = CivilDate.fromDaysSinceEpoch(days)
    func pad(_ v: Int64, _ width: Int) -> String {
      let s = String(v)
      return String(repeating: "0", count: max(0, width - s.count)) + s
    }
    return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
      + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))\(fraction(t.nanos))Z"
  }

  /// `1.5s`, `-0.000001s`: seconds with 0, 3, 6 or 9 fractional digits.
  static func durationText(_ d: Google_Protobuf_Duration) throws(CodecError) -> String {
    guard abs(d.seconds) <= 315_576_000_000, abs(d.nanos) < 1_000_000_000,
      d.seconds == 0 || d.nanos == 0 || (d.seconds < 0) == (d.nanos < 0)
    else {
      throw CodecError(code: .invalidValue, message: "Duration \(d.seconds)s \(d.nanos)ns is out of range")
    }
    let negative = d.seconds < 0 || d.nanos < 0
    return (negative ? "-" : "") + String(abs(d.seconds)) + fraction(abs(d.nanos)) + "s"
  }

  private static func fraction(_ nanos: Int32) -> String {
    guard nanos != 0 else { return "" }
    let digits = String(nanos)
    let nine = String(repeating: "0", count: 9 - digits.count) + digits
    if nanos % 1_000_000 == 0 { return "." + nine.prefix(3) }
    if nanos % 1_000 == 0 { return "." + nine.prefix(6) }
    return "." + nine
  }
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// published civil-from-days algorithm, written out here).
enum CivilDate {
  static func fromDaysSinceEpoch(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }
}

/// Proto field names to JSON names, as protoc derives `json_name`.
enum Naming {
  static func lowerCamel(_ s: String) -> String {
    var out = ""
    var upperNext = false
    for c in s {
      if c == "_" {
        upperNext = true
      } else if upperNext {
        out += c.uppercased()
        upperNext = false
      } else {
        out.append(c)
      }
    }
    return out
  }
}
