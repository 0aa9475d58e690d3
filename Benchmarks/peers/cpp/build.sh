#!/usr/bin/env bash
# Builds the gRPC C++ peer into OUT_DIR (default .build-bench/peers) with
# Debian's libgrpc++-dev and protobuf-compiler-grpc. C++ code for the schemas
# is generated here, not committed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
out=${OUT_DIR:-$repo/.build-bench/peers}
gen=$repo/.build-bench/cpp-gen
rm -rf "$gen" && mkdir -p "$gen" "$out"
protos=(summit/v1/leader.proto summit/v1/common.proto google/type/date.proto)
protoc -I "$repo/Protos" -I /usr/include --cpp_out="$gen" "${protos[@]}"
protoc -I "$repo/Protos" -I /usr/include --grpc_out="$gen" \
  --plugin=protoc-gen-grpc="$(command -v grpc_cpp_plugin)" summit/v1/leader.proto
srcs=("$here/server.cc" "$gen/summit/v1/leader.pb.cc" "$gen/summit/v1/leader.grpc.pb.cc"
  "$gen/summit/v1/common.pb.cc" "$gen/google/type/date.pb.cc")
g++ -O2 -std=c++17 -I "$gen" -o "$out/cpp-peer" "${srcs[@]}" \
  $(pkg-config --cflags --libs grpc++ protobuf) -lgrpc++_reflection -lpthread
echo "built $out/cpp-peer"
