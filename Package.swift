// swift-tools-version: 6.1
//
// Summit: a typed, queryable record of world leaders, their visits and the
// allegations states make against each other, served over gRPC.
//
// Layers (arrows point down only; see README.md for the map):
//   summit-protogen → SummitProtogen → CProtoDescriptor (protoc-c's descriptor.proto)
//   SummitCodec → CSummitProtos (protoc-c output, libprotobuf-c)
import PackageDescription

/// Settings every Swift target shares: Swift 6 with strict concurrency, and the
/// upcoming features that keep imports and existentials explicit.
let defaultSwiftSettings: [SwiftSetting] = [
  .swiftLanguageMode(.v6),
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("InternalImportsByDefault"),
  .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
  name: "Summit",
  products: [
    .library(name: "SummitCodec", targets: ["SummitCodec"]),
    .executable(name: "summit-protogen", targets: ["summit-protogen"]),
  ],
  targets: [
    // MARK: Codec

    /// libprotobuf-c (Debian's libprotobuf-c-dev), shared by every C codec module.
    .systemLibrary(name: "CProtobufC"),
    /// protoc-c output for every served schema. Generated; `make protos` rebuilds it.
    .target(
      name: "CSummitProtos",
      dependencies: ["CProtobufC"]
    ),
    /// Swift value types for every message, encoded and decoded through protobuf-c.
    .target(
      name: "SummitCodec",
      dependencies: ["CProtobufC", "CSummitProtos"],
      swiftSettings: defaultSwiftSettings
    ),
    .testTarget(
      name: "SummitCodecTests",
      dependencies: ["SummitCodec", "SummitCodecTestProtos"],
      swiftSettings: defaultSwiftSettings
    ),

    /// Test-only schemas (`Protos/summit/testing`): every field shape, for the codec tests.
    .target(
      name: "CSummitTestProtos",
      dependencies: ["CProtobufC"]
    ),
    .target(
      name: "SummitCodecTestProtos",
      dependencies: ["SummitCodec", "CProtobufC", "CSummitTestProtos"],
      swiftSettings: defaultSwiftSettings
    ),
    /// Decodes and re-encodes messages named on stdin: the Swift side of the
    /// Python byte-compatibility tests, and the AddressSanitizer workload.
    .executableTarget(
      name: "summit-codec-probe",
      dependencies: ["SummitCodec", "SummitCodecTestProtos"],
      swiftSettings: defaultSwiftSettings
    ),

    // MARK: Generator

    /// protoc-c output for `google/protobuf/descriptor.proto`, read by the generator.
    .target(
      name: "CProtoDescriptor",
      dependencies: ["CProtobufC"]
    ),
    .target(
      name: "SummitProtogen",
      dependencies: ["CProtoDescriptor"],
      swiftSettings: defaultSwiftSettings
    ),
    .executableTarget(
      name: "summit-protogen",
      dependencies: ["SummitProtogen"],
      swiftSettings: defaultSwiftSettings
    ),
    .testTarget(
      name: "SummitProtogenTests",
      dependencies: ["SummitProtogen"],
      swiftSettings: defaultSwiftSettings
    ),
  ]
)
