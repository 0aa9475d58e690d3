#!/usr/bin/env bash
# Regenerates swift-protobuf's code for the schemas the codec benchmark and the
# grpc-swift-2 peer use, into SwiftProtobufGenerated/ (committed: building
# protoc-gen-swift takes minutes, so make bench does not run this).
#
#   PROTOC_GEN_SWIFT=/path/to/protoc-gen-swift Benchmarks/codec/generate.sh
#
# protoc-gen-swift comes from swift-protobuf 1.39.0 (`swift build --product
# protoc-gen-swift` in a checkout of it); protoc is Debian's.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
plugin=${PROTOC_GEN_SWIFT:?set PROTOC_GEN_SWIFT to a protoc-gen-swift 1.39.0 binary}
out=$here/SwiftProtobufGenerated
rm -f "$out"/*.pb.swift
protoc -I "$repo/Protos" -I /usr/include --plugin=protoc-gen-swift="$plugin" \
  --swift_out="$out" --swift_opt=Visibility=Public --swift_opt=FileNaming=PathToUnderscores \
  summit/v1/common.proto summit/v1/leader.proto summit/v1/visit.proto \
  google/type/date.proto google/rpc/status.proto grpc/health/v1/health.proto
ls "$out"
