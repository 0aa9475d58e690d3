/// The `grpc-timeout` header: at most eight ASCII digits and a unit
/// (`H` hours, `M` minutes, `S` seconds, `m` milliseconds, `u`
/// microseconds, `n` nanoseconds), as gRPC's HTTP/2 protocol defines it.
enum GRPCTimeout {
  /// The timeout `text` gives, or nil when it is not a valid value.
  static func parse(_ text: Substring) -> Duration? {
    guard let unit = text.last, text.count >= 2, text.count <= 9 else { return nil }
    let digits = text.dropLast()
    guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(digits) else { return nil }
    switch unit {
    case "H": return .seconds(value * 3600)
    case "M": return .seconds(value * 60)
    case "S": return .seconds(value)
    case "m": return .milliseconds(value)
    case "u": return .microseconds(value)
    case "n": return .nanoseconds(value)
    default: return nil
    }
  }

  /// The header value for `duration`, rounded up to keep within eight digits.
  static func format(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    let nanoseconds = max(0, seconds) * 1_000_000_000 + max(0, attoseconds) / 1_000_000_000
    let units: [(divisor: Int64, unit: Character)] = [
      (1, "n"), (1_000, "u"), (1_000_000, "m"), (1_000_000_000, "S"), (60_000_000_000, "M"), (3_600_000_000_000, "H"),
    ]
    for (divisor, unit) in units {
      let value = (nanoseconds + divisor - 1) / divisor
      if value < 100_000_000 { return "\(value)\(unit)" }
    }
    return "99999999H"
  }
}
