#!/usr/bin/env bash
# Issue 12's rebuild figures: `build` over the previous site after appending 1 event, then
# after appending 1,000 more, each as a ratio to sha256sum of the segments and against the
# target (at most verify + 10% of (full build - verify)), with peak RSS and output bytes per event.
# Usage: Benchmarks/rebuild_after_append.sh SOURCE SITE WORKDIR SHA_SECS VERIFY_SECS BUILD_SECS
#   SOURCE is appended to (ids bench-append-*); SITE is the site built from it before.
set -euo pipefail
SRC=$1 SITE=$2 WORK=$3 SHA=$4 VERIFY=$5 BUILD=$6
BIN=${BIN:-.build/release/trailpack}
RUN=$(date +%s)-$$
# The log's latest time: the events appended carry it (record refuses earlier ones).
t=$(tail -q -n 1 "$SRC"/audit/*.jsonl | tail -n 1 | sed 's/.*"time":"\([^"]*\)".*/\1/')
append() {
  local n=$1 tag=$2
  : >"$WORK/append.jsonl"
  for i in $(seq 1 "$n"); do
    printf '{"action":"code.changed","actor":{"id":"u:bench"},"id":"bench-append-%s-%s-%d","subject":{"id":"repo","type":"code"},"time":"%s"}\n' "$tag" "$RUN" "$i" "$t" >>"$WORK/append.jsonl"
  done
  "$BIN" record "$SRC" --batch-size 1000 --event "$WORK/append.jsonl" >/dev/null
}
target=$(awk -v v="$VERIFY" -v b="$BUILD" 'BEGIN { printf "%.2f", v + 0.1 * (b - v) }')
for n in 1 1000; do
  append "$n" "$n"
  events=$(cat "$SRC"/audit/*.jsonl | wc -l)
  # The steps before (the full build, PostgreSQL's load) leave gigabytes to write back; the
  # rebuild is timed on its own, not behind that writeback.
  sync
  # Read from memory, as sha256sum, verify and the full build were (run.sh warms the page cache
  # before them): PostgreSQL's load just before can push the log out of the cache.
  cat "$SRC"/audit/*.jsonl >/dev/null
  /usr/bin/time -f '%e %M' -o "$WORK/rebuild.time" "$BIN" build "$SRC" --out "$SITE" >/dev/null 2>"$WORK/rebuild.err"
  read -r secs kb <"$WORK/rebuild.time"
  bytes=$(du -sb "$SITE" | cut -f1)
  awk -v n="$n" -v s="$secs" -v k="$kb" -v h="$SHA" -v t="$target" -v b="$bytes" -v e="$events" 'BEGIN {
    printf "rebuild after appending %d event(s): %.2f s, %.2fx sha256sum, peak RSS %.1f MB, %.0f output bytes per event; target <= %.2f s: %s\n",
      n, s, s/h, k/1024, b/e, t, (s <= t ? "met" : "not met") }'
done
