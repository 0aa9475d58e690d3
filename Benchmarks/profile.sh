#!/usr/bin/env bash
# Profiles summitd under load: perf record (software cpu-clock sampling, since
# this machine's perf cannot read hardware counters) of summitd pinned to CPU 0
# with one event loop, while grpcload on CPU 1 drives one method.
#
#   Benchmarks/profile.sh [METHOD] [SECONDS]     METHOD: getleader (default), health, listvisits
#
# Writes .build-bench/profile/METHOD.{data,txt} (flat symbol profile and
# caller graph) and prints a summary by category (runtime metadata,
# retain/release, malloc, kernel, nghttp2, ...).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
method=${1:-getleader}
seconds=${2:-10}
out=$repo/.build-bench/profile
mkdir -p "$out"
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
python3 -c "import sys; sys.path.insert(0, '$here'); from runner import servers; servers.write_bench_seed('$repo', '$work/seed.json')"
case $method in
  health) path=/grpc.health.v1.Health/Check; hex="" ;;
  getleader) path=/summit.v1.LeaderService/GetLeader; hex=0a166c6561646572732f766c6164696d69722d707574696e ;;
  listvisits) path=/summit.v1.VisitService/ListVisits; hex=0832 ;;
  *) echo "unknown method $method" >&2; exit 2 ;;
esac
taskset -c 0 "$repo/.build/release/summitd" --listen 127.0.0.1:0 --db "$work/summit.db" --seed-file "$work/seed.json" \
  --event-loops 1 --log-level warning > "$work/log" 2>&1 &
server=$!
for _ in $(seq 1 500); do grep -q "listening on" "$work/log" && break; sleep 0.02; done
port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$work/log")
load=("$repo/.build-bench/bin/grpcload" -p "$port" -P "$path" -c 16 -m 32 -s "$server")
[ -n "$hex" ] && load+=(-x "$hex")
# Warm up, then record while the load runs.
taskset -c 1 "${load[@]}" -w 0 -d 2 > /dev/null
taskset -c 1 "${load[@]}" -w 0.5 -d "$seconds" > "$out/$method.load.json" &
loadpid=$!
sleep 0.5
perf record -e cpu-clock -F 2999 -g -p "$server" -o "$out/$method.data" -- sleep "$((seconds - 1))" 2> "$out/$method.record.log"
wait $loadpid || true
cat "$out/$method.load.json"
perf report -i "$out/$method.data" --no-children --sort dso,symbol --stdio 2>/dev/null \
  | swift demangle --simplified > "$out/$method.txt"
perf report -i "$out/$method.data" --no-children --sort symbol --stdio -g caller,0.5,callee --percent-limit 2 2>/dev/null \
  | swift demangle --simplified > "$out/$method.callers.txt"
python3 "$here/runner/profile_summary.py" "$out/$method.data" | tee "$out/$method.summary.md"
