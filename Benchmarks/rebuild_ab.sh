#!/usr/bin/env bash
# One rebuild after one appended event, N times, for comparing two binaries by hand (alternate
# them): each round records one `code.changed` event into SOURCE (at the log's latest time), then
# builds SOURCE over SITE (a site built from it before) and prints wall time, CPU and peak RSS.
# Usage: Benchmarks/rebuild_ab.sh BIN SOURCE SITE [N]
#   BIN must find its theme: a build tree's .build/release/trailpack, or <prefix>/bin/trailpack
#   beside <prefix>/share/trailpack/templates.
set -euo pipefail
BIN=$1 SRC=$2 SITE=$3 N=${4:-3}
EVENT=$(mktemp)
trap 'rm -f "$EVENT"' EXIT
for i in $(seq 1 "$N"); do
  t=$(tail -q -n 1 "$SRC"/audit/*.jsonl | tail -n 1 | sed 's/.*"time":"\([^"]*\)".*/\1/')
  printf '{"action":"code.changed","actor":{"id":"u:bench"},"id":"bench-ab-%s-%s","subject":{"id":"repo","type":"code"},"time":"%s"}\n' \
    "$(date +%s%N)" "$i" "$t" >"$EVENT"
  "$BIN" record "$SRC" --event "$EVENT" >/dev/null
  /usr/bin/time -f '%e s wall %U u %S s %M KB' "$BIN" build "$SRC" --out "$SITE" 2>&1 >/dev/null | tail -n 1
done
