/// gRPC metadata: an ordered list of key/value pairs, keys lower-case ASCII.
/// Keys ending in `-bin` carry bytes (base64 on the wire); others carry
/// printable ASCII text. A key may repeat.
public struct Metadata: Sendable, Hashable, Sequence, CustomStringConvertible {
  public enum Value: Sendable, Hashable {
    case string(String)
    case binary([UInt8])
  }

  public struct Entry: Sendable, Hashable {
    public var key: String
    public var value: Value
  }

  private var entries: [Entry] = []

  public init() {}

  /// Metadata holding the given text pairs, in order.
  public init(_ pairs: KeyValuePairs<String, String>) {
    for (key, value) in pairs { add(key, value) }
  }

  public var isEmpty: Bool { entries.isEmpty }
  public var count: Int { entries.count }

  /// Adds a text value; the key is lower-cased.
  public mutating func add(_ key: String, _ value: String) {
    entries.append(Entry(key: key.lowercased(), value: .string(value)))
  }

  /// Adds a binary value; the key is lower-cased and should end in `-bin`.
  public mutating func add(_ key: String, bytes: [UInt8]) {
    entries.append(Entry(key: key.lowercased(), value: .binary(bytes)))
  }

  public mutating func add(_ key: String, _ value: Value) {
    entries.append(Entry(key: key.lowercased(), value: value))
  }

  public mutating func removeAll(_ key: String) {
    let key = key.lowercased()
    entries.removeAll { $0.key == key }
  }

  /// Text values for `key`, in order.
  public subscript(key: String) -> [String] {
    let key = key.lowercased()
    return entries.compactMap { entry in
      guard entry.key == key, case .string(let s) = entry.value else { return nil }
      return s
    }
  }

  /// Binary values for `key`, in order.
  public subscript(binary key: String) -> [[UInt8]] {
    let key = key.lowercased()
    return entries.compactMap { entry in
      guard entry.key == key, case .binary(let b) = entry.value else { return nil }
      return b
    }
  }

  /// The first text value for `key`.
  public func first(_ key: String) -> String? { self[key].first }

  public func makeIterator() -> IndexingIterator<[Entry]> { entries.makeIterator() }

  public var description: String {
    "[" + entries.map { "\($0.key): " + ($0.key.hasSuffix("-bin") ? "<binary>" : "\($0.value)") }.joined(separator: ", ") + "]"
  }
}
