// libFuzzer target: the gRPC message deframer (and gzip decompression of
// what it yields) on arbitrary bytes, fed in arbitrary chunks.
// Build and run with `make fuzz`; this file only does anything in that build.
import SummitHTTP2

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDeframer(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let input = UnsafeRawBufferPointer(start: start, count: count)
  guard let first = input.first else { return 0 }
  // The first byte picks a chunk size, so split frames are explored too.
  let chunk = Int(first % 17) + 1
  var deframer = MessageDeframer(maxMessageSize: 1 << 16)
  var offset = 1
  while offset < input.count {
    let end = min(input.count, offset + chunk)
    deframer.append(UnsafeRawBufferPointer(rebasing: input[offset..<end]))
    offset = end
    do {
      while let message = try deframer.next() {
        if message.compressed { _ = try? Gzip.decompress(message.bytes, limit: 1 << 16) }
        precondition(message.bytes.count <= 1 << 16, "the limit must hold")
      }
    } catch {
      return 0
    }
  }
  return 0
}
