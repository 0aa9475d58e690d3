/// `grpc-message` percent-encoding: the UTF-8 of the message with every
/// byte outside printable ASCII (0x20–0x7E), and `%` itself, written `%XX`.
enum PercentEncoding {
  static func encode(_ message: String) -> String {
    var out = ""
    out.reserveCapacity(message.utf8.count)
    for byte in message.utf8 {
      if byte >= 0x20 && byte <= 0x7E && byte != UInt8(ascii: "%") {
        out.unicodeScalars.append(Unicode.Scalar(byte))
      } else {
        out += "%"
        out += String(byte >> 4, radix: 16, uppercase: true)
        out += String(byte & 0xF, radix: 16, uppercase: true)
      }
    }
    return out
  }

  /// Decodes `%XX` sequences; a malformed sequence is kept as it is, and
  /// bytes that are not UTF-8 are repaired, as the spec asks of receivers.
  static func decode(_ text: String) -> String {
    var bytes: [UInt8] = []
    let utf8 = Array(text.utf8)
    var i = 0
    while i < utf8.count {
      if utf8[i] == UInt8(ascii: "%"), i + 2 < utf8.count,
        let high = hexValue(utf8[i + 1]), let low = hexValue(utf8[i + 2])
      {
        bytes.append(high << 4 | low)
        i += 3
      } else {
        bytes.append(utf8[i])
        i += 1
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  private static func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
    default: nil
    }
  }
}
