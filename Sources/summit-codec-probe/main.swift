// summit-codec-probe: decodes and re-encodes messages for the Python
// byte-compatibility tests (Tests/Interop/test_codec_compat.py), and is the
// workload the AddressSanitizer run (`make test-asan`) drives.
//
// Protocol, one line in and one line out, in order, until end of input:
//   in:  <full.message.Name> <base64 of the encoded message>
//   out: ok <base64 of our re-encoding> <proto3 JSON of the decoded message>
//    or: err <code> <message>      (code: malformed, invalidUTF8, unknownType, invalidValue, other)
// A line `json <full.message.Name> <base64 of proto3 JSON text>` decodes JSON
// instead of the wire format and answers the same way.
import SummitCodec
import SummitCodecTestProtos

let messageTypes = SummitCodecSchema.messageTypes + SummitCodecTestProtosSchema.messageTypes
let typesByName = Dictionary(uniqueKeysWithValues: messageTypes.map { ($0.protoMessageName, $0) })
let json = ProtoJSONEncoder(messageTypes: messageTypes)
let jsonDecoder = ProtoJSONDecoder(messageTypes: messageTypes)

/// One answer line for one request line.
func answer(_ line: Substring) -> String {
  if line.hasPrefix("json ") { return answerJSON(line.dropFirst(5)) }
  let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
  let name = String(parts[0])
  guard let type = typesByName[name] else { return "err unknownType no message type \(name)" }
  guard let bytes = Base64.decode(parts.count > 1 ? String(parts[1]) : "") else {
    return "err other the input is not base64"
  }
  do throws(CodecError) {
    let message = try type.init(serializedBytes: bytes)
    return "ok \(Base64.encode(message.serializedBytes())) \(try json.encode(message))"
  } catch {
    return "err \(error.code) \(error.message)"
  }
}

/// Decodes proto3 JSON, then answers as for the wire format.
func answerJSON(_ line: Substring) -> String {
  let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
  guard let type = typesByName[String(parts[0])] else { return "err unknownType no message type \(parts[0])" }
  guard let text = Base64.decode(parts.count > 1 ? String(parts[1]) : "").map({ String(decoding: $0, as: UTF8.self) }) else {
    return "err other the input is not base64"
  }
  do throws(CodecError) {
    let message = try decodeJSON(type, text)
    return "ok \(Base64.encode(message.serializedBytes())) \(try json.encode(message))"
  } catch {
    return "err \(error.code) \(error.message)"
  }
}

func decodeJSON<M: ProtoMessage>(_ type: M.Type, _ text: String) throws(CodecError) -> M {
  try jsonDecoder.decode(type, from: text)
}

var output = ""
while let line = readLine(strippingNewline: true) {
  output += answer(line[...]) + "\n"
  if output.utf8.count > 1 << 16 {
    print(output, terminator: "")
    output = ""
  }
}
print(output, terminator: "")
