import SummitCodec
import SummitCodecTestProtos
import Testing

/// Input that is not a valid message gets a typed error, never a crash and
/// never a silent success (the Python suite covers many more cases).
@Suite struct MalformedInputTests {
  typealias Scalars = Summit_Testing_V1_Scalars

  @Test(arguments: [
    ("truncated length-delimited", [0x72, 0x05, 0x61] as [UInt8]),
    ("overlong varint", [0x08] + [UInt8](repeating: 0xFF, count: 10) + [0x01]),
    ("field number 0", [0x00, 0x01]),
    // An overlong tag spelling field 0 (0x81 0x00): protobuf-c took it; found by fuzz-codec.
    ("overlong tag for field 0", [0x81, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]),
    ("wrong wire type for a string", [0x70, 0x01]),
    ("field number above 2^29-1", [0x80, 0x80, 0x80, 0x80, 0x10, 0x00]),
  ])
  func isMalformed(_ name: String, bytes: [UInt8]) {
    #expect(throws: CodecError.self, "\(name)") { try Scalars(serializedBytes: bytes) }
    do {
      _ = try Scalars(serializedBytes: bytes)
    } catch {
      #expect(error.code == .malformed, "\(name)")
    }
  }

  @Test func invalidUTF8IsItsOwnError() {
    do {
      _ = try Scalars(serializedBytes: [0x72, 0x02, 0xC3, 0x28])
      Issue.record("invalid UTF-8 decoded")
    } catch {
      #expect(error.code == .invalidUTF8)
    }
  }

  @Test func unknownFieldsSurviveReencoding() throws {
    let full = Scalars.with {
      $0.i32 = 7
      $0.text = "kept"
      $0.blob = [1, 2]
      $0.dbl = 2.5
    }
    let asEmpty = try Summit_Testing_V1_Empty(serializedBytes: full.serializedBytes())
    #expect(asEmpty.unknownFields.fields.count == 4)
    #expect(try Scalars(serializedBytes: asEmpty.serializedBytes()) == full)
  }
}
