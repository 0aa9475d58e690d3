#!/usr/bin/env bash
# Regenerates every generated file from Protos/: protoc-c's C codec, the
# descriptor sets, and the Swift that summit-protogen writes from them.
#
#   scripts/generate-protos.sh [OUT]
#
# OUT defaults to the repository root; `make check-generated` passes a scratch
# folder and compares, so that stale generated code fails the tests.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$repo}
out=$(mkdir -p "$out" && cd "$out" && pwd)
protos=$repo/Protos
wkt=/usr/include   # google/protobuf/*.proto from Debian's libprotobuf-dev

# The well-known types the served schemas import. libprotobuf-c ships none,
# so they are compiled here like our own files.
well_known=(google/protobuf/any.proto google/protobuf/duration.proto
  google/protobuf/empty.proto google/protobuf/field_mask.proto google/protobuf/timestamp.proto)
served=("${well_known[@]}")
while IFS= read -r f; do served+=("$f"); done < <(cd "$protos" && find . -name '*.proto' \
  ! -path './summit/testing/*' | sed 's|^\./||' | LC_ALL=C sort)
testing=()
while IFS= read -r f; do testing+=("$f"); done < <(cd "$protos" && find ./summit/testing -name '*.proto' \
  | sed 's|^\./||' | LC_ALL=C sort)

# protoc-c writes foo.pb-c.c next to foo.pb-c.h; SwiftPM wants headers under include/.
run_protoc_c() { # target files...
  local target=$1; shift
  local dir=$out/Sources/$target
  rm -rf "$dir"/google "$dir"/grpc "$dir"/summit "$dir"/include/google "$dir"/include/grpc "$dir"/include/summit
  mkdir -p "$dir/include"
  protoc-c -I "$protos" -I "$wkt" --c_out="$dir" "$@"
  (cd "$dir" && find . -name '*.pb-c.h' | while read -r h; do
    mkdir -p "include/$(dirname "$h")" && mv "$h" "include/$h"; done)
}

run_protoc_c CProtoDescriptor google/protobuf/descriptor.proto
run_protoc_c CSummitProtos "${served[@]}"
run_protoc_c CSummitTestProtos "${testing[@]}"

mkdir -p "$out/Protos/generated"
protoc -I "$protos" -I "$wkt" --include_imports --include_source_info \
  --descriptor_set_out="$out/Protos/generated/summit.binpb" "${served[@]}"
protoc -I "$protos" -I "$wkt" --include_imports --include_source_info \
  --descriptor_set_out="$out/Protos/generated/summit-testing.binpb" "${testing[@]}"

# The generator is built from the tree being generated for (its C reader of
# descriptor.proto was refreshed above and is committed like the rest).
swift build --package-path "$repo" --product summit-protogen -q
protogen=$(swift build --package-path "$repo" --show-bin-path)/summit-protogen

"$protogen" --descriptor-set "$out/Protos/generated/summit.binpb" \
  --swift-out "$out/Sources/SummitCodec/Generated" \
  --c-module CSummitProtos --c-header "$out/Sources/CSummitProtos/include/CSummitProtos.h" \
  --module-name SummitCodec --rpc-out "$out/Sources/SummitAPI/Generated" "${served[@]}"
"$protogen" --descriptor-set "$out/Protos/generated/summit-testing.binpb" \
  --swift-out "$out/Sources/SummitCodecTestProtos/Generated" \
  --c-module CSummitTestProtos --c-header "$out/Sources/CSummitTestProtos/include/CSummitTestProtos.h" \
  --module-name SummitCodecTestProtos "${testing[@]}"
