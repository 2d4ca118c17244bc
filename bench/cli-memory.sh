#!/usr/bin/env bash
# Peak RSS and wall time of `iotguard assess` on generated fleets, as
# docs/bench/fleet.md records them. Usage, from the repository root:
#   bench/cli-memory.sh [RUNS] [N...]        (default: 3 runs of 10000 100000 1000000)
# Needs GNU time (/usr/bin/time). Fleets go to ${FLEETS:-/tmp/iotguard-fleets}.
set -euo pipefail
runs=${1:-3}
shift || true
if [ $# -gt 0 ]; then sizes=("$@"); else sizes=(10000 100000 1000000); fi
now=2026-03-01T00:00:00Z
fleets=${FLEETS:-/tmp/iotguard-fleets}
bin=${IOTGUARD:-/tmp/iotguard}
go build -o "$bin" ./cmd/iotguard
mkdir -p "$fleets"
for n in "${sizes[@]}"; do
  dir="$fleets/fleet-$n"
  if [ ! -f "$dir/iotguard.yaml" ]; then
    rm -rf "$dir"
    "$bin" fleet generate --devices "$n" --seed 1 --now "$now" -o "$dir" >/dev/null
  fi
  for r in $(seq 1 "$runs"); do
    /usr/bin/time -v "$bin" assess -f "$dir/iotguard.yaml" --now "$now" --format json -o "$dir/report.json" \
      2>"$dir/time-$r.txt" >/dev/null || { cat "$dir/time-$r.txt"; exit 1; }
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$dir/time-$r.txt")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$dir/time-$r.txt")
    cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.2f", u+s}' "$dir/time-$r.txt")
    printf '%s devices  run %s  peak RSS %6.1f MiB  wall %s  CPU %ss  report %s bytes\n' \
      "$n" "$r" "$(awk -v k="$rss" 'BEGIN {print k / 1024}')" "$wall" "$cpu" "$(stat -c %s "$dir/report.json")"
  done
done
