#!/usr/bin/env bash
# Benchmark: generate a large demo pack source, then time verify, build and diff on it.
# Usage: Benchmarks/run.sh [EVENTS] [WORKDIR]   (make bench runs it with 1,000,000 events)
# Prints wall time, throughput and peak RSS for each step; figures go into docs/PERFORMANCE.md.
set -euo pipefail
EVENTS=${1:-1000000}
WORK=${2:-.build/bench}
BIN=${BIN:-.build/release/trailpack}
mkdir -p "$WORK"
SRC="$WORK/source"
SITE="$WORK/site"
OLD="$WORK/old"

# measure NAME CMD...: runs CMD under /usr/bin/time, prints wall seconds and peak RSS.
measure() {
  local name=$1; shift
  local log="$WORK/$name.time"
  local status=0
  /usr/bin/time -f '%e %M' -o "$log" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || status=$?
  read -r secs kb <"$log"
  awk -v n="$name" -v s="$secs" -v k="$kb" -v x="$status" 'BEGIN { printf "%-28s %8.2f s   peak RSS %7.1f MB   (exit %d)\n", n, s, k/1024, x }'
  LAST_SECS=$secs
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "events: $EVENTS"
rm -rf "$SRC" "$SITE" "$OLD"
measure "demo (generate)" "$BIN" demo "$SRC" --events "$EVENTS"
bytes=$(cat "$SRC"/audit/*.jsonl | wc -c)
echo "audit store: $(ls "$SRC"/audit/*.jsonl | wc -l) segments, $(awk -v b="$bytes" 'BEGIN { printf "%.1f", b/1048576 }') MB"

# Warm the page cache so both measurements read from memory.
cat "$SRC"/audit/*.jsonl >/dev/null
measure "sha256sum (segments)" sha256sum "$SRC"/audit/*.jsonl
sha_secs=$LAST_SECS
measure "verify" "$BIN" verify "$SRC"
verify_secs=$LAST_SECS
awk -v e="$EVENTS" -v b="$bytes" -v s="$verify_secs" -v h="$sha_secs" 'BEGIN {
  printf "verify throughput: %.0f events/s, %.1f MB/s, %.2fx sha256sum time\n", e/s, b/1048576/s, s/h }'
tail -n 1 "$WORK/verify.out"

measure "build" "$BIN" build "$SRC" --out "$SITE"
build_secs=$LAST_SECS
site_bytes=$(du -sb "$SITE" | cut -f1)
echo "site: $(find "$SITE" -type f | wc -l) files, $(awk -v b="$site_bytes" 'BEGIN { printf "%.0f", b/1048576 }') MB"
awk -v e="$EVENTS" -v b="$site_bytes" -v s="$build_secs" -v h="$sha_secs" -v v="$verify_secs" 'BEGIN {
  printf "build throughput: %.0f events/s, %.2fx sha256sum time (verify %.2fx), %.0f output bytes per event\n", e/s, s/h, v/h, b/e }'
{
  # OLD: the same log cut to its first 90% of events (a previous release).
  cut=$((EVENTS * 9 / 10))
  mkdir -p "$OLD"
  cp -r "$SRC"/. "$OLD"/
  rm -rf "$OLD/audit" "$OLD/checkpoints" && mkdir -p "$OLD/audit" "$OLD/checkpoints"
  # awk, not cat | head: under pipefail, cat's SIGPIPE would end the script.
  awk -v n="$cut" 'NR > n { exit } { print }' "$SRC"/audit/*.jsonl > "$OLD/audit/000001.jsonl"
  measure "diff (old 90% -> new)" "$BIN" diff "$OLD" "$SRC"
  head -n 3 "$WORK/diff (old 90% -> new).out" || true
}

# MLflow import: a generated SQLite store (the sample's schema) with 10,000 runs and 1,000
# versions, imported into a fresh pack source (target: under 2 s).
{
  MLDB="$WORK/mlflow-bench.db"
  MLPACK="$WORK/mlflow-pack"
  python3 "$(dirname "$0")/mlflow_store.py" "${MLFLOW_SAMPLE:-../shared/samples/mlflow/mlflow.db}" "$MLDB" 10000 1000
  rm -rf "$MLPACK" && mkdir -p "$MLPACK"
  printf '{"title": "bench", "origin": "example.com/bench", "release": {"name": "b", "models": {}}}\n' > "$MLPACK/trailpack.json"
  measure "import mlflow (10k runs, 1k versions)" "$BIN" import mlflow "$MLPACK" --tracking-uri "sqlite:///$MLDB"
  head -n 1 "$WORK/import mlflow (10k runs, 1k versions).out"
  measure "import mlflow again (nothing)" "$BIN" import mlflow "$MLPACK" --tracking-uri "sqlite:///$MLDB" --dry-run
}

# OpenLineage import: 100,000 generated RunEvents (50,000 runs), and git import: a generated
# 10,000-commit repository, each into a fresh pack source (targets: under 2 s and under 3 s).
{
  OLFILE="$WORK/openlineage-bench.jsonl"
  REPO="$WORK/git-bench-repo"
  python3 "$(dirname "$0")/openlineage_events.py" "$OLFILE" 100000
  "$(dirname "$0")/git_repo.sh" "$REPO" 10000
  for kind in openlineage git; do
    rm -rf "$WORK/$kind-pack" && mkdir -p "$WORK/$kind-pack"
    printf '{"title": "bench", "origin": "example.com/bench", "release": {"name": "b", "models": {}}}\n' > "$WORK/$kind-pack/trailpack.json"
  done
  measure "import openlineage (100k events)" "$BIN" import openlineage "$WORK/openlineage-pack" "$OLFILE"
  import_secs=$LAST_SECS
  head -n 1 "$WORK/import openlineage (100k events).out"
  # Baseline of the same run: verifying the pack just written (105,000 events).
  measure "verify (imported pack)" "$BIN" verify "$WORK/openlineage-pack"
  awk -v i="$import_secs" -v v="$LAST_SECS" 'BEGIN { printf "import openlineage: %.1fx the verify of what it wrote\n", i/v }'
  measure "import openlineage again (nothing)" "$BIN" import openlineage "$WORK/openlineage-pack" "$OLFILE" --dry-run
  measure "import git (10k commits)" "$BIN" import git "$WORK/git-pack" --repo "$REPO"
  head -n 1 "$WORK/import git (10k commits).out"
  measure "import git again (nothing)" "$BIN" import git "$WORK/git-pack" --repo "$REPO" --dry-run
}

# The PostgreSQL audit store (docs/store-postgresql.md) on a cluster of its own.
if ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  echo
  Benchmarks/postgresql.sh "$SRC" "$EVENTS" "$WORK" "$verify_secs"
else
  echo "PostgreSQL benchmark skipped: no server under /usr/lib/postgresql (make deps installs it)"
fi

# Rebuilds over the previous site after appending 1 and then 1,000 events (issue 12's
# figures); they append to the source, so they run after everything that needs it unchanged.
echo
Benchmarks/rebuild_after_append.sh "$SRC" "$SITE" "$WORK" "$sha_secs" "$verify_secs" "$build_secs"

# One `record` on the file store at EVENTS events vs at 1,000 (audit/.trailpack-state); last,
# since it appends to the source.
echo
Benchmarks/record_latency.sh "$SRC" "$WORK"
