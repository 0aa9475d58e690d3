#!/usr/bin/env bash
# Fails when the committed generated code differs from a fresh run of
# scripts/generate-protos.sh: someone edited a .proto (or the generator)
# without running `make protos`, or edited generated code by hand.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

"$repo/scripts/generate-protos.sh" "$scratch" >/dev/null

# Everything the generator writes; hand-written module maps and umbrella
# headers beside them are left out of the comparison.
generated=(
  Protos/generated
  Sources/CProtoDescriptor
  Sources/CSummitProtos
  Sources/CSummitTestProtos
  Sources/SummitCodec/Generated
  Sources/SummitCodecTestProtos/Generated
  Sources/SummitAPI/Generated
)
status=0
for path in "${generated[@]}"; do
  if ! diff -r -q -x module.modulemap -x CProtoDescriptor.h "$repo/$path" "$scratch/$path" >"$scratch/diff.txt"; then
    echo "check-generated: $path is out of date:"
    sed 's/^/  /' "$scratch/diff.txt"
    status=1
  fi
done
if [ $status -ne 0 ]; then
  echo "check-generated: run 'make protos' and commit the result."
  exit 1
fi
echo "check-generated: generated code matches Protos/."
