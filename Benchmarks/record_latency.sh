#!/usr/bin/env bash
# Latency of one `trailpack record` of one event on the file store, on a log of the given
# source's length, and on a small demo log made here (`demo --events 1000`, which holds 2,800
# events with the demo's story), with the ratio between them.
# Usage: Benchmarks/record_latency.sh SOURCE WORKDIR [RUNS]
#   SOURCE: a pack source with a large log (run.sh's 1,000,000-event demo). Events are appended
#   to it (ids bench-record-*), so run this after anything that needs SOURCE unchanged.
# Prints, for each log: the first record (which finds no cache, reads the whole log and writes
# audit/.trailpack-state) and the median, min and max of RUNS further records (from the cache).
set -euo pipefail
SRC=$1
WORK=$2
RUNS=${3:-11}
BIN=${BIN:-.build/release/trailpack}
mkdir -p "$WORK"
RUN=$(date +%s)-$$   # ids unique across runs on the same source
SMALL="$WORK/record-small"
rm -rf "$SMALL"
"$BIN" demo "$SMALL" --events 1000 >/dev/null

# times TAG SOURCE: records RUNS+1 single events, prints the figures, sets MEDIAN_US.
times() {
  local tag=$1 src=$2
  # The log's latest time: the events appended carry it (record refuses earlier ones).
  local t
  t=$(cat "$src"/audit/*.jsonl | tail -n 1 | sed 's/.*"time":"\([^"]*\)".*/\1/')
  local events
  events=$(cat "$src"/audit/*.jsonl | wc -l)
  rm -f "$src/audit/.trailpack-state" "$src/audit/.trailpack-ids"
  : >"$WORK/record-$tag.txt"
  for i in $(seq 0 "$RUNS"); do
    printf '{"action":"code.changed","actor":{"id":"u:bench"},"id":"bench-record-%s-%s-%d","subject":{"id":"repo","type":"code"},"time":"%s"}\n' "$tag" "$RUN" "$i" "$t" >"$WORK/one.jsonl"
    local t0
    t0=$(date +%s%N)
    "$BIN" record "$src" --event "$WORK/one.jsonl" >/dev/null
    echo $(( ($(date +%s%N) - t0) / 1000 )) >>"$WORK/record-$tag.txt"
  done
  head -n 1 "$WORK/record-$tag.txt" | awk -v e="$events" '{ printf "record of one event at %d events, first (no cache: reads the log, writes it): %.1f ms\n", e, $1/1000 }'
  tail -n +2 "$WORK/record-$tag.txt" | sort -n | awk -v e="$events" '{ a[NR] = $1 } END {
    printf "record of one event at %d events, from the cache: median %.1f ms, min %.1f ms, max %.1f ms (%d runs)\n", e, a[int((NR+1)/2)]/1000, a[1]/1000, a[NR]/1000, NR }'
  MEDIAN_US=$(tail -n +2 "$WORK/record-$tag.txt" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR+1)/2)] }')
}

# Process start alone, for scale (the machine's load shows here first).
: >"$WORK/record-start.txt"
for i in $(seq 1 "$RUNS"); do
  t0=$(date +%s%N); "$BIN" --version >/dev/null; echo $(( ($(date +%s%N) - t0) / 1000 )) >>"$WORK/record-start.txt"
done
sort -n "$WORK/record-start.txt" | awk '{ a[NR] = $1 } END { printf "process start alone (trailpack --version): median %.1f ms\n", a[int((NR+1)/2)]/1000 }'

times small "$SMALL"
small=$MEDIAN_US
times large "$SRC"
large=$MEDIAN_US
awk -v s="$small" -v l="$large" 'BEGIN { printf "record latency ratio, large log / small log: %.2fx (target: independent of length; one record < 50 ms)\n", l/s }'
