#!/usr/bin/env bash
# The Dockerfile's build stage, as plain shell: a release build of summitd
# and summit, copied into OUT (default .build-release/dist); the seed is
# compiled into summitd. CI runs it too (`make deploy-check`), so the image's
# build commands are exercised where Docker is absent. `make bench` builds
# summitd the same way (Makefile SUMMITD_RELEASE); Package.swift adds its
# release link flags (lld, packed relocations, the start-up function order).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$repo/.build-release/dist}
cd "$repo"
scratch=${SCRATCH_PATH:-$repo/.build-release}
swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product summitd
swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product summit
bin=$(swift build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)
rm -rf "$out" && mkdir -p "$out"
cp "$bin/summitd" "$bin/summit" "$out/"
# Debug sections are most of a static binary's size; symbols stay for backtraces.
if command -v strip >/dev/null; then strip --strip-debug "$out/summitd" "$out/summit"; fi
echo "built: $(ls "$out" | tr '\n' ' ')"
