/// Durations as operators write them: `500ms`, `2s`, `5m`, `1h`, `30us`,
/// `100ns`, or a plain number of seconds.
public enum DurationArgument {
  public static func parse(_ text: String) -> Duration? {
    let units: [(suffix: String, nanoseconds: Double)] = [
      ("ms", 1e6), ("us", 1e3), ("µs", 1e3), ("ns", 1), ("h", 3600e9), ("m", 60e9), ("s", 1e9),
    ]
    for (suffix, scale) in units where text.hasSuffix(suffix) {
      guard let value = Double(text.dropLast(suffix.count)), value >= 0, value.isFinite else { return nil }
      return .nanoseconds(Int64(value * scale))
    }
    guard let seconds = Double(text), seconds >= 0, seconds.isFinite else { return nil }
    return .nanoseconds(Int64(seconds * 1e9))
  }
}
