extension StringProtocol {
  /// The text without the leading and trailing scalars that match `isTrimmed`
  /// (the standard library has no trimming of its own).
  func trimming(where isTrimmed: (Unicode.Scalar) -> Bool) -> Substring {
    let scalars = Substring(self).unicodeScalars
    guard let first = scalars.firstIndex(where: { !isTrimmed($0) }),
      let last = scalars.lastIndex(where: { !isTrimmed($0) })
    else { return "" }
    return Substring(scalars[first...last])
  }
}
