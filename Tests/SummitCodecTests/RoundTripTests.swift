import SummitCodec
import SummitCodecTestProtos
import Testing

/// Encode → decode gives back the same value, for every field shape.
@Suite struct RoundTripTests {
  typealias Scalars = Summit_Testing_V1_Scalars
  typealias Repeated = Summit_Testing_V1_Repeated
  typealias Choices = Summit_Testing_V1_Choices
  typealias Maps = Summit_Testing_V1_Maps
  typealias Nested = Summit_Testing_V1_Nested

  func roundTrip<M: ProtoMessage>(_ message: M) throws -> M {
    try M(serializedBytes: message.serializedBytes())
  }

  @Test("every generated message type round-trips empty", arguments: 0..<2)
  func emptyMessages(module: Int) throws {
    let types = module == 0 ? SummitCodecSchema.messageTypes : SummitCodecTestProtosSchema.messageTypes
    #expect(types.count > (module == 0 ? 100 : 5))
    for type in types {
      let empty = type.init()
      #expect(empty.serializedBytes().isEmpty, "\(type.protoMessageName)")
      let decoded = try type.init(serializedBytes: [UInt8]())
      #expect(decoded.serializedBytes().isEmpty)
    }
  }

  @Test func scalarExtremes() throws {
    let extremes: [Scalars] = [
      .with {
        $0.i32 = .min; $0.i64 = .min; $0.u32 = .max; $0.u64 = .max; $0.s32 = .min; $0.s64 = .min
        $0.f32 = .max; $0.f64 = .max; $0.sf32 = .min; $0.sf64 = .min
        $0.flt = .greatestFiniteMagnitude; $0.dbl = -.greatestFiniteMagnitude; $0.flag = true
      },
      .with {
        $0.i32 = .max; $0.i64 = .max; $0.u32 = 1; $0.u64 = 1; $0.s32 = .max; $0.s64 = .max
        $0.f32 = 1; $0.f64 = 1; $0.sf32 = .max; $0.sf64 = .max
        $0.flt = .leastNonzeroMagnitude; $0.dbl = .leastNonzeroMagnitude
      },
      .with { $0.i32 = -1; $0.i64 = -1; $0.flt = .infinity; $0.dbl = -.infinity },
    ]
    for message in extremes {
      #expect(try roundTrip(message) == message)
    }
  }

  @Test func notANumberSurvives() throws {
    let decoded = try roundTrip(Scalars.with { $0.flt = .nan; $0.dbl = .nan })
    #expect(decoded.flt.isNaN)
    #expect(decoded.dbl.isNaN)
  }

  @Test(arguments: [
    "", "ascii", "Путин", "김정은", "金正恩", "بوتين", "🇰🇵🇷🇺 👋🏽", "e\u{301} combining", String(repeating: "長", count: 100_000),
  ])
  func unicodeStrings(text: String) throws {
    let message = Scalars.with { $0.text = text; $0.blob = Array(text.utf8) }
    #expect(try roundTrip(message) == message)
  }

  @Test func longRepeatedFields() throws {
    let n = 10_000
    let message = Repeated.with {
      $0.i32 = (0..<n).map { Int32($0) - 5000 }
      $0.i64 = (0..<n).map { Int64($0) * 1_000_000_007 }
      $0.u32 = (0..<n).map { UInt32($0) }
      $0.u64 = (0..<n).map { UInt64.max - UInt64($0) }
      $0.s32 = (0..<n).map { -Int32($0) }
      $0.s64 = (0..<n).map { -Int64($0) }
      $0.f32 = (0..<n).map { UInt32($0) }
      $0.f64 = (0..<n).map { UInt64($0) }
      $0.sf32 = (0..<n).map { Int32($0) }
      $0.sf64 = (0..<n).map { Int64($0) }
      $0.flt = (0..<n).map { Float($0) / 3 }
      $0.dbl = (0..<n).map { Double($0) / 7 }
      $0.flag = (0..<n).map { $0 % 3 == 0 }
      $0.text = (0..<n).map { "item \($0)" }
      $0.blob = (0..<100).map { [UInt8](repeating: UInt8($0), count: $0) }
      $0.color = (0..<n).map { Summit_Testing_V1_Color(rawValue: Int32($0 % 4) - 1) }
      $0.scalars = (0..<1000).map { i in Scalars.with { $0.i32 = Int32(i); $0.text = "\(i)" } }
      $0.unpacked = (0..<n).map { Int32($0) }
    }
    #expect(try roundTrip(message) == message)
  }

  @Test func everyOneofCase() throws {
    let inner = Nested.Inner.with { $0.depth = 3; $0.innermost = .with { $0.label = "deep" } }
    let picks: [Choices.Pick] = [
      .number(0), .number(-7), .word(""), .word("word"), .raw([]), .raw([0, 255]),
      .inner(inner), .inner(.init()), .color(.unspecified), .color(.infrared), .yes(false), .yes(true),
      .real(0), .real(-2.5),
    ]
    for pick in picks {
      for other in [nil, Choices.Other.big(0), .big(.max), .scalars(.init())] {
        let message = Choices.with { $0.pick = pick; $0.other = other; $0.outside = "x" }
        let decoded = try roundTrip(message)
        #expect(decoded == message, "\(pick) \(String(describing: other))")
      }
    }
    #expect(try roundTrip(Choices()).pick == nil)
  }

  @Test func maps() throws {
    let message = Maps.with {
      $0.labels = ["a": "1", "": "empty key", "ключ": ""]
      $0.byNumber = [0: .init(), -1: .with { $0.text = "minus one" }, .max: .with { $0.u64 = 9 }]
      $0.colors = ["red": .red, "unknown": .init(rawValue: 77)]
      $0.blobs = [0: [], .max: [1, 2, 3]]
      $0.flags = [true: -1, false: .max]
      $0.reals = [-5: .infinity, 5: 0.5]
    }
    #expect(try roundTrip(message) == message)
  }

  @Test func nestedToDepth() throws {
    let message = Nested.with {
      $0.inner = .with {
        $0.depth = 2
        $0.innermost = .with { $0.label = "one" }
        $0.many = (0..<50).map { i in .with { $0.label = "many \(i)" } }
      }
      $0.mood = .calm
      $0.scalars = .with { $0.text = "s" }
    }
    #expect(try roundTrip(message) == message)
  }

  @Test func keywordFieldNames() throws {
    let message = Summit_Testing_V1_Keywords.with {
      $0.default = "d"; $0.struct = 3; $0.class = true; $0.self_p = "s"; $0.protocol = "p"
      $0.extension = ["e"]; $0.type = "t"
    }
    #expect(try roundTrip(message) == message)
  }
}
