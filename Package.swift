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

/// How the release build links summitd, the server that `make bench` measures
/// and deploy/ ships (both with `--static-swift-stdlib`, which only the command
/// line can ask for); each step is measured in BENCHMARKS.md (Idle memory). An
/// idle summitd's RSS is mostly the pages of code and data it has touched, so:
/// lld, for relative relocations packed into a few KB (RELR; gold cannot) where
/// 1.5 MB of `.rela.dyn` would be read at every start; no export of every
/// symbol, which the static Swift runtime asks for and a server does not need;
/// and the functions an idle server has run (`startup.order`, written by `make
/// summitd-order`) laid out together at the front of `.text`, not spread over
/// 15 MB of code. Still position-independent, so ASLR applies. Debug builds
/// link as before.
let summitdReleaseLinking: [LinkerSetting] = [
  .unsafeFlags(
    [
      "-use-ld=lld",
      "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
      "-Xlinker", "--no-export-dynamic",
      "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Sources/summitd/startup.order",
      // Functions renamed since the order was written are simply not ordered.
      "-Xlinker", "--no-warn-symbol-ordering",
    ],
    .when(platforms: [.linux], configuration: .release)),
]

let package = Package(
  name: "Summit",
  products: [
    .library(name: "SummitCodec", targets: ["SummitCodec"]),
    .library(name: "SummitRPC", targets: ["SummitRPC", "SummitAPI"]),
    .library(name: "SummitClient", targets: ["SummitHTTP2", "SummitTLS", "SummitAPI", "SummitRPC", "SummitCodec"]),
    .executable(name: "summitd", targets: ["summitd"]),
    .executable(name: "summit", targets: ["summit"]),
    .executable(name: "summit-interop-server", targets: ["summit-interop-server"]),
    .executable(name: "summit-protogen", targets: ["summit-protogen"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
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

    // MARK: RPC core and transport

    /// What a call is: status codes, errors, metadata, handlers, routing. No C, no HTTP/2.
    .target(
      name: "SummitRPC",
      dependencies: ["SummitCodec"],
      swiftSettings: defaultSwiftSettings
    ),
    .testTarget(
      name: "SummitRPCTests",
      dependencies: ["SummitRPC"],
      swiftSettings: defaultSwiftSettings
    ),
    /// Generated server protocols for every service of the schemas.
    .target(
      name: "SummitAPI",
      dependencies: ["SummitCodec", "SummitRPC"],
      swiftSettings: defaultSwiftSettings
    ),
    /// libnghttp2 (Debian's libnghttp2-dev): HTTP/2 framing, HPACK and flow control.
    .systemLibrary(name: "CNGHTTP2", pkgConfig: "libnghttp2"),
    /// zlib (Debian's zlib1g-dev), for gzip message compression.
    .systemLibrary(name: "CZlib"),
    /// glibc's malloc_trim.
    .systemLibrary(name: "CMalloc"),
    /// gRPC over HTTP/2 on nghttp2, with SwiftNIO owning sockets and event loops.
    .target(
      name: "SummitHTTP2",
      dependencies: [
        "SummitRPC", "CNGHTTP2", "CZlib", "CMalloc",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "CoreMetrics", package: "swift-metrics"),
      ],
      swiftSettings: defaultSwiftSettings
    ),
    /// TLS for the transport (ALPN h2, mutual TLS, reload) on swift-nio-ssl:
    /// a module of its own so that the transport (and its fuzz and ASan
    /// builds) need no TLS library.
    .target(
      name: "SummitTLS",
      dependencies: [
        "SummitHTTP2",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
      ],
      swiftSettings: defaultSwiftSettings
    ),
    .testTarget(
      name: "SummitHTTP2Tests",
      dependencies: [
        "SummitHTTP2", "SummitAPI", "SummitRPC", "SummitCodec", "SummitStandardServices",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
      ],
      swiftSettings: defaultSwiftSettings
    ),
    /// grpc.health.v1 and grpc.reflection (v1 and v1alpha) over SummitRPC.
    .target(
      name: "SummitStandardServices",
      dependencies: ["SummitAPI", "SummitRPC", "SummitCodec"],
      swiftSettings: defaultSwiftSettings
    ),
    /// What every server executable shares: transport flags with environment
    /// fallbacks, logging set-up, signals and graceful shutdown.
    .target(
      name: "SummitServerRuntime",
      dependencies: [
        "SummitHTTP2", "SummitTLS", "SummitStandardServices", "SummitRPC", "SummitCodec", "SummitAPI",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "CoreMetrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
      ],
      swiftSettings: defaultSwiftSettings
    ),
    .testTarget(
      name: "SummitServerRuntimeTests",
      dependencies: [
        "SummitServerRuntime", "SummitHTTP2",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: defaultSwiftSettings
    ),
    .executableTarget(
      name: "summitd",
      dependencies: [
        "SummitServerRuntime", "SummitAPI", "SummitRPC", "SummitService", "SummitStore", "CMalloc",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "CoreMetrics", package: "swift-metrics"),
      ],
      exclude: ["startup.order"],
      swiftSettings: defaultSwiftSettings,
      linkerSettings: summitdReleaseLinking
    ),
    /// gRPC's interop TestService on the same transport, for other
    /// implementations' interop clients.
    .executableTarget(
      name: "summit-interop-server",
      dependencies: [
        "SummitServerRuntime", "SummitAPI", "SummitRPC", "SummitCodec",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: defaultSwiftSettings
    ),

    // MARK: Store and service

    /// libpq's API (Debian's libpq-dev headers), the PostgreSQL client the
    /// shared store drives; loaded with dlopen on first use, not linked, so
    /// the SQLite store neither maps nor needs it.
    .target(name: "CLibPQ"),
    /// libsqlite3 (Debian's libsqlite3-dev): the embedded store's engine.
    .systemLibrary(name: "CSQLite"),
    /// Records in SQLite (embedded default) or PostgreSQL (several replicas),
    /// migrations, transactions, the change feed.
    .target(
      name: "SummitStore",
      dependencies: [
        "CLibPQ", "CSQLite", .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "CoreMetrics", package: "swift-metrics"),
      ],
      swiftSettings: defaultSwiftSettings
    ),
    .testTarget(
      name: "SummitStoreTests",
      dependencies: ["SummitStore", "SummitTestSupport"],
      exclude: ["Fixtures"],  // read by path (#filePath), not bundled
      swiftSettings: defaultSwiftSettings
    ),
    /// What the store and service tests share: a throw-away PostgreSQL server
    /// (scripts/pg-scratch.sh) and the list of stores to run against.
    .target(
      name: "SummitTestSupport",
      dependencies: ["SummitStore"],
      path: "Tests/SummitTestSupport",
      swiftSettings: defaultSwiftSettings
    ),

    /// The RPC handlers: validation, resource names, pagination, etags,
    /// idempotency, error details, the seed.
    .target(
      name: "SummitService",
      dependencies: ["SummitStore", "SummitAPI", "SummitRPC", "SummitCodec"],
      exclude: ["Resources/SEED.md"],
      // Compiled in rather than bundled: a resource bundle's accessor imports
      // Foundation, and summitd must not load it (issue #6, idle memory).
      resources: [.embedInCode("Resources/seed.json")],
      swiftSettings: defaultSwiftSettings
    ),
    .testTarget(
      name: "SummitServiceTests",
      dependencies: [
        "SummitService", "SummitStore", "SummitRPC", "SummitCodec", "SummitTestSupport", "SummitAPI", "SummitHTTP2",
        .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: defaultSwiftSettings
    ),

    // MARK: CLI

    /// The `summit` command-line tool's commands and output formats.
    .target(
      name: "SummitCLI",
      dependencies: [
        "SummitHTTP2", "SummitTLS", "SummitAPI", "SummitRPC", "SummitCodec",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: defaultSwiftSettings
    ),
    .testTarget(
      name: "SummitCLITests",
      dependencies: ["SummitCLI", "SummitCodec"],
      swiftSettings: defaultSwiftSettings
    ),
    .executableTarget(
      name: "summit",
      dependencies: ["SummitCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")],
      swiftSettings: defaultSwiftSettings
    ),

    // MARK: Fuzzing (built with `make fuzz`: --sanitize=fuzzer,address)

    .executableTarget(name: "fuzz-deframer", dependencies: ["SummitHTTP2"], path: "Fuzz/Deframer", swiftSettings: defaultSwiftSettings),
    .executableTarget(name: "fuzz-codec", dependencies: ["SummitCodec"], path: "Fuzz/Codec", swiftSettings: defaultSwiftSettings),
    .executableTarget(
      name: "fuzz-connection",
      dependencies: [
        "SummitHTTP2", "SummitRPC",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOEmbedded", package: "swift-nio"),
        .product(name: "Logging", package: "swift-log"),
      ],
      path: "Fuzz/Connection",
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
