#!/usr/bin/env bash
# Runs every fuzz harness of BINARY (built with -sanitize=fuzzer,address) for SECONDS each, on a
# scratch corpus under WORK seeded from the harness's seeds (seeds are copied, never written).
# Prints executions per harness and writes them to WORK/summary.txt; fails if any harness fails.
set -euo pipefail
BIN=${1:?usage: run.sh BINARY SECONDS WORK [HARNESS...]}
SECONDS_EACH=${2:?seconds per harness}
WORK=${3:?scratch folder}
shift 3
cd "$(dirname "$0")/../.."
ROOT=$PWD
# ../shared relative to the repository root, or the nearest shared folder above it (worktrees).
SHARED=${TRAILPACK_SHARED:-}
if [ -z "$SHARED" ]; then
  d=$ROOT
  while [ "$d" != / ]; do d=$(dirname "$d"); [ -d "$d/shared/suites" ] && { SHARED=$d/shared; break; }; done
fi
names=("$@")
[ ${#names[@]} -gt 0 ] || mapfile -t names < <("$BIN" --list)
mkdir -p "$WORK"
summary=$WORK/summary.txt
: > "$summary"
failed=0
for name in "${names[@]}"; do
  corpus=$WORK/corpus/$name
  artifacts=$WORK/artifacts/$name/
  mkdir -p "$corpus" "$artifacts"
  while IFS= read -r seed; do
    [ -n "$seed" ] || continue
    case $seed in ../shared/*) src=${SHARED:-$ROOT/../shared}/${seed#../shared/} ;; *) src=$ROOT/$seed ;; esac
    [ -e "$src" ] || { echo "fuzz: $name: seed $seed not found ($src); skipped" >&2; continue; }
    find "$src" -type f | while IFS= read -r f; do
      cp "$f" "$corpus/seed-$(printf '%s' "$f" | sha256sum | cut -c1-16)"
    done
  done < <("$BIN" --seeds "$name")
  [ -d "$ROOT/Tests/Fuzz/regressions/$name" ] && find "$ROOT/Tests/Fuzz/regressions/$name" -type f -exec cp {} "$corpus/" \;
  log=$WORK/$name.log
  echo "fuzz: $name for ${SECONDS_EACH}s"
  if TRAILPACK_FUZZ_HARNESS=$name "$BIN" "$corpus" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
       -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    printf '%-20s %12s executions in %ss\n' "$name" "$runs" "$SECONDS_EACH" | tee -a "$summary"
  else
    failed=1
    printf '%-20s FAILED (see %s; the input is in %s)\n' "$name" "$log" "$artifacts" | tee -a "$summary"
    tail -n 30 "$log" >&2
  fi
done
exit $failed
