#!/usr/bin/env bash
# Builds the grpc-go peer into OUT_DIR (default .build-bench/peers) from Debian's
# Go packages (golang-google-grpc-dev, golang-goprotobuf-dev): no module proxy,
# GOPATH mode. Go code for summit/v1 is generated here, not committed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
out=${OUT_DIR:-$repo/.build-bench/peers}
gopath=$repo/.build-bench/gopath
src=$gopath/src/summitbench
rm -rf "$src" && mkdir -p "$src/summitv1" "$out"
cp "$here/main.go" "$src/"
maps=Mgoogle/type/date.proto=google.golang.org/genproto/googleapis/type/date
maps+=,Mgoogle/protobuf/field_mask.proto=google.golang.org/genproto/protobuf/field_mask
maps+=,Mgoogle/protobuf/timestamp.proto=github.com/golang/protobuf/ptypes/timestamp
maps+=,Mgoogle/protobuf/empty.proto=github.com/golang/protobuf/ptypes/empty
maps+=,Msummit/v1/common.proto=summitbench/summitv1,Msummit/v1/leader.proto=summitbench/summitv1
protoc -I "$repo/Protos" -I /usr/include --go_out="plugins=grpc,$maps:$src/summitv1" \
  summit/v1/leader.proto summit/v1/common.proto
# protoc-gen-go writes under the import path it was given.
find "$src/summitv1" -name '*.pb.go' -path '*/summitbench/*' -exec mv {} "$src/summitv1/" \;
cd "$src"
GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOFLAGS= go build -trimpath -o "$out/go-peer" .
echo "built $out/go-peer"
