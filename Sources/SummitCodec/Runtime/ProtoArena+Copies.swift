/// Copies of Swift values into an arena, in the shapes protobuf-c's structs
/// hold them (used by generated `_cFill`).
extension ProtoArena {
  /// A NUL-terminated copy of `s`. C strings end at the first NUL, so a
  /// string holding U+0000 is cut there: a limit of protobuf-c's string fields.
  package func cString(_ s: String) -> UnsafeMutablePointer<CChar> {
    // Reading the UTF-8 in place needs no copy of the String (and no retain);
    // only a string without contiguous UTF-8 storage takes the slow path.
    if let p = s.utf8.withContiguousStorageIfAvailable({ cString(utf8: $0) }) { return p }
    var s = s
    return s.withUTF8 { cString(utf8: $0) }
  }

  @inline(__always)
  private func cString(utf8: UnsafeBufferPointer<UInt8>) -> UnsafeMutablePointer<CChar> {
    state.pointee.payloadBytes &+= utf8.count
    let p = allocateRaw(byteCount: utf8.count + 1, alignment: 1)
    if let base = utf8.baseAddress { p.copyMemory(from: base, byteCount: utf8.count) }
    p.storeBytes(of: 0, toByteOffset: utf8.count, as: UInt8.self)
    return p.bindMemory(to: CChar.self, capacity: utf8.count + 1)
  }

  package func cStrings(_ strings: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
    let p = allocate(UnsafeMutablePointer<CChar>?.self, count: strings.count)
    strings.withUnsafeBufferPointer { strings in
      for i in strings.indices { (p + i).initialize(to: cString(strings[i])) }
    }
    return p
  }

  package func bytes(_ b: [UInt8]) -> UnsafeMutablePointer<UInt8>? {
    guard !b.isEmpty else { return nil }
    state.pointee.payloadBytes &+= b.count
    let p = allocate(UInt8.self, count: b.count)
    b.withUnsafeBufferPointer { p.initialize(from: $0.baseAddress!, count: b.count) }
    return p
  }

  /// A C array holding `values` (trivial types: numbers, C enums).
  package func copy<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
    let p = allocate(T.self, count: values.count)
    values.withUnsafeBufferPointer { if let base = $0.baseAddress { p.initialize(from: base, count: values.count) } }
    return p
  }

  /// A C array of `transform` applied to each value.
  package func copy<S, T>(_ values: [S], _ transform: (S) -> T) -> UnsafeMutablePointer<T> {
    let p = allocate(T.self, count: values.count)
    // Through the buffer, each element is lent to `transform` rather than copied (and retained).
    values.withUnsafeBufferPointer { values in
      for i in values.indices { (p + i).initialize(to: transform(values[i])) }
    }
    return p
  }

  /// A C array of pointers, one per value, each made by `make` from a
  /// pointer to the value: a message is read in place, never copied.
  package func pointers<S, T>(
    _ values: [S], _ make: (UnsafePointer<S>) -> UnsafeMutablePointer<T>
  ) -> UnsafeMutablePointer<UnsafeMutablePointer<T>?> {
    let p = allocate(UnsafeMutablePointer<T>?.self, count: values.count)
    values.withUnsafeBufferPointer { values in
      guard let base = values.baseAddress else { return }
      for i in values.indices { (p + i).initialize(to: make(base + i)) }
    }
    return p
  }
}
