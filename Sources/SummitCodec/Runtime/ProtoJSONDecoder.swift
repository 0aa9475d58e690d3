/// Reads protobuf's canonical proto3 JSON mapping into messages: the inverse
/// of ``ProtoJSONEncoder``. Accepts field names in JSON (`displayName`) or
/// proto (`display_name`) form, enums by name or number, 64-bit integers as
/// strings or numbers, and the well-known types' special forms.
public struct ProtoJSONDecoder: Sendable {
  /// Skip members the schema does not know instead of failing.
  public var ignoreUnknownFields: Bool
  private let typesByName: [String: any ProtoMessage.Type]

  public init(
    messageTypes: [any ProtoMessage.Type] = SummitCodecSchema.messageTypes, ignoreUnknownFields: Bool = false
  ) {
    var byName: [String: any ProtoMessage.Type] = [:]
    for t in messageTypes { byName[t.protoMessageName] = t }
    typesByName = byName
    self.ignoreUnknownFields = ignoreUnknownFields
  }

  public func decode<M: ProtoMessage>(_: M.Type, from text: String) throws(CodecError) -> M {
    let value: JSONValue
    do {
      value = try JSONParser.parse(text)
    } catch {
      throw CodecError(code: .malformed, message: error.description)
    }
    return try message(M.self, value, field: M.protoMessageName)
  }

  public func decode<M: ProtoMessage>(_: M.Type, from value: JSONValue) throws(CodecError) -> M {
    try message(M.self, value, field: M.protoMessageName)
  }

  // MARK: Used by generated code

  public func message<M: ProtoMessage>(_: M.Type, _ value: JSONValue, field: String) throws(CodecError) -> M {
    if let special = try wellKnown(M.self, value, field: field) { return special }
    guard case .object(let members) = value else { throw invalid(field, "expected an object") }
    var m = M()
    for (key, member) in members {
      if case .null = member { continue }
      if try !m.decodeJSONField(key, member, self) && !ignoreUnknownFields {
        throw invalid(field, "has no field \(key)")
      }
    }
    return m
  }

  public func string(_ value: JSONValue, field: String) throws(CodecError) -> String {
    guard case .string(let s) = value else { throw invalid(field, "expected a string") }
    return s
  }

  public func bool(_ value: JSONValue, field: String) throws(CodecError) -> Bool {
    guard case .bool(let b) = value else { throw invalid(field, "expected true or false") }
    return b
  }

  public func bytes(_ value: JSONValue, field: String) throws(CodecError) -> [UInt8] {
    guard case .string(let s) = value, let b = Base64.decode(s) else { throw invalid(field, "expected base64 text") }
    return b
  }

  public func integer<I: FixedWidthInteger>(_: I.Type, _ value: JSONValue, field: String) throws(CodecError) -> I {
    let text: String
    switch value {
    case .number(let n): text = n
    case .string(let s): text = s
    default: throw invalid(field, "expected an integer")
    }
    if let exact = I(text) { return exact }
    // 1e3 or 5.0: integral values written as floating point.
    if let d = Double(text), d.rounded() == d, let exact = I(exactly: d) { return exact }
    throw invalid(field, "\(text) is not a valid \(I.self)")
  }

  public func double(_ value: JSONValue, field: String) throws(CodecError) -> Double {
    switch value {
    case .number(let n):
      guard let d = Double(n) else { throw invalid(field, "\(n) is not a number") }
      return d
    case .string("NaN"): return .nan
    case .string("Infinity"): return .infinity
    case .string("-Infinity"): return -.infinity
    case .string(let s):
      guard let d = Double(s) else { throw invalid(field, "\(s) is not a number") }
      return d
    default: throw invalid(field, "expected a number")
    }
  }

  public func float(_ value: JSONValue, field: String) throws(CodecError) -> Float {
    let d = try double(value, field: field)
    // Shortest float text (3.4028235e+38) may round past Float.max as a
    // Double; only values that round to infinity are out of range.
    let f = Float(d)
    guard f.isFinite || !d.isFinite else { throw invalid(field, "\(d) is out of range for a float") }
    return f
  }

  public func enumeration<E: ProtoEnum>(_: E.Type, _ value: JSONValue, field: String) throws(CodecError) -> E {
    switch value {
    case .string(let name):
      guard let e = E(protoName: name) else { throw invalid(field, "\(name) is not a \(E.protoEnumName) value") }
      return e
    case .number:
      return E(rawValue: try integer(Int32.self, value, field: field))
    default: throw invalid(field, "expected an enum name")
    }
  }

  public func array<T>(
    _ value: JSONValue, field: String, _ element: (JSONValue) throws(CodecError) -> T
  ) throws(CodecError) -> [T] {
    guard case .array(let items) = value else { throw invalid(field, "expected an array") }
    var out: [T] = []
    out.reserveCapacity(items.count)
    for item in items { out.append(try element(item)) }
    return out
  }

  /// A JSON object as a map; keys convert through `key` (JSON map keys are strings).
  public func map<K: Hashable, V>(
    _ value: JSONValue, field: String, key: (String) throws(CodecError) -> K, value element: (JSONValue) throws(CodecError) -> V
  ) throws(CodecError) -> [K: V] {
    guard case .object(let members) = value else { throw invalid(field, "expected an object") }
    var out: [K: V] = [:]
    for (k, v) in members { out[try key(k)] = try element(v) }
    return out
  }

  public func mapKey<I: FixedWidthInteger>(_: I.Type, _ key: String, field: String) throws(CodecError) -> I {
    guard let i = I(key) else { throw invalid(field, "map key \(key) is not a \(I.self)") }
    return i
  }

  public func mapKeyBool(_ key: String, field: String) throws(CodecError) -> Bool {
    switch key {
    case "true": return true
    case "false": return false
    default: throw invalid(field, "map key \(key) is not true or false")
    }
  }

  func invalid(_ field: String, _ reason: String) -> CodecError {
    CodecError(code: .invalidValue, message: "\(field): \(reason)")
  }

  func messageType(named name: String) -> (any ProtoMessage.Type)? {
    typesByName[name]
  }
}
