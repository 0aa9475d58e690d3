// swift-tools-version: 6.1
//
// Summit's benchmarks that need Swift packages the product does not: the
// grpc-swift-2 peer server and the codec micro-benchmark (ours against
// swift-protobuf). A package of its own so that `swift build` and `swift test`
// at the repository root never build it; `make bench` builds it in release
// mode into .build-bench/swift.
import PackageDescription

let settings: [SwiftSetting] = [
  .swiftLanguageMode(.v6),
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
  name: "SummitBenchmarks",
  platforms: [.macOS(.v15)],
  dependencies: [
    // By name: a path dependency is otherwise known by its folder's name,
    // which differs between checkouts (main, wt-bench, CI's clone).
    .package(name: "Summit", path: ".."),
    .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
    .package(url: "https://github.com/grpc/grpc-swift-2.git", exact: "2.4.3"),
    .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", exact: "2.9.2"),
    .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", exact: "2.4.1"),
    .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
  ],
  targets: [
    /// swift-protobuf's code for the summit/v1 and grpc/health/v1 schemas.
    /// Generated once by codec/generate.sh and committed.
    .target(
      name: "SwiftProtobufSummit",
      dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
      path: "codec/SwiftProtobufGenerated",
      swiftSettings: [.swiftLanguageMode(.v6)]
    ),
    /// Counts heap allocations by defining malloc and friends in the benchmark executable.
    .target(name: "MallocCounter", path: "codec/MallocCounter"),
    /// Encode/decode ns per message and allocations per message, ours against swift-protobuf.
    .executableTarget(
      name: "codec-bench",
      dependencies: [
        "SwiftProtobufSummit",
        "MallocCounter",
        .product(name: "SummitCodec", package: "Summit"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      path: "codec/Sources",
      swiftSettings: settings
    ),
    /// grpc-swift-2 on its NIO transport serving Health/Check and GetLeader.
    .executableTarget(
      name: "grpc-swift-peer",
      dependencies: [
        "SwiftProtobufSummit",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "NIOPosix", package: "swift-nio"),
      ],
      path: "peers/grpc-swift/Sources",
      swiftSettings: settings
    ),
  ]
)
