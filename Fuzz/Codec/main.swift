// libFuzzer target: decoding every message type of the served schemas from
// arbitrary bytes (the first byte picks the type). Whatever decodes must
// re-encode and decode to an equal value, and render as JSON.
import SummitCodec

let types = SummitCodecSchema.messageTypes
let json = ProtoJSONEncoder()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCodec(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  guard count > 0 else { return 0 }
  let input = UnsafeRawBufferPointer(start: start, count: count)
  let type = types[Int(input[0]) % types.count]
  roundTrip(type, Array(input.dropFirst()))
  return 0
}

func roundTrip<M: ProtoMessage>(_ type: M.Type, _ bytes: [UInt8]) {
  guard let message = try? M(serializedBytes: bytes) else { return }
  // What decoded once must decode again from our own encoding.
  guard let again = try? M(serializedBytes: message.serializedBytes()) else {
    preconditionFailure("\(M.protoMessageName) decoded, but its re-encoding does not")
  }
  // Equal values; NaN fields make == false, so equal encodings also count
  // (maps may encode in either order, so == is tried first).
  precondition(again == message || again.serializedBytes() == message.serializedBytes(), "re-encoding changed \(M.protoMessageName)")
  _ = try? json.encode(message)
}
