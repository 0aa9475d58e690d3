import SummitCodec

/// `google.type.Date` as the service uses it: validity and `YYYY-MM-DD` text,
/// which sorts in date order.
enum CivilDates {
  static func isValid(_ d: Google_Type_Date) -> Bool {
    guard (1...9999).contains(d.year), (1...12).contains(d.month), d.day >= 1 else { return false }
    return d.day <= daysIn(year: Int(d.year), month: Int(d.month))
  }

  static func daysIn(year: Int, month: Int) -> Int32 {
    switch month {
    case 2: (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }

  static func text(_ d: Google_Type_Date) -> String {
    func pad(_ v: Int32, _ width: Int) -> String {
      let s = String(v)
      return String(repeating: "0", count: max(0, width - s.count)) + s
    }
    return "\(pad(d.year, 4))-\(pad(d.month, 2))-\(pad(d.day, 2))"
  }

  static func isBefore(_ a: Google_Type_Date, _ b: Google_Type_Date) -> Bool {
    (a.year, a.month, a.day) < (b.year, b.month, b.day)
  }
}
