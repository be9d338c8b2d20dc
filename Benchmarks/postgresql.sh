#!/usr/bin/env bash
# Benchmark of the PostgreSQL audit store, on a throwaway cluster this script starts itself
# (unix socket in WORKDIR, no TCP port; as the postgres user when run as root).
# Usage: Benchmarks/postgresql.sh SOURCE EVENTS WORKDIR [FILE_VERIFY_SECONDS]
#   SOURCE: a demo pack source with EVENTS events in audit/ (run.sh makes it).
# Prints: events/s appended by 8 concurrent streaming writers (`trailpack record --batch-size 10`,
# 500 events each, one connection each), the same by 8 writers that start a `trailpack record`
# process per batch of 10 (for comparison), one append's latency with EVENTS rows in the table, and verify from PostgreSQL beside verify
# of the same events from files.
set -euo pipefail
SRC=$1
EVENTS=$2
# Absolute: libpq reads a host that starts with "/" as the socket's folder, anything else as a host name.
WORK=$(mkdir -p "$3" && cd "$3" && pwd)
FILE_VERIFY=${4:-}
BIN=${BIN:-.build/release/trailpack}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PG="$WORK/pg"
rm -rf "$PG"
mkdir -p "$PG/sock"
AS=()
if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$PG"; AS=(runuser -u postgres --); fi
"${AS[@]}" "$PGBIN/initdb" -D "$PG/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG/initdb.log" 2>&1
# fsync stays on: the figures are for a durable commit on this machine's disk.
"${AS[@]}" "$PGBIN/postgres" -D "$PG/data" -k "$PG/sock" -c listen_addresses= -p 5432 >"$PG/server.log" 2>&1 &
SERVER=$!
stop() { "${AS[@]}" "$PGBIN/pg_ctl" -D "$PG/data" -m fast -w stop >/dev/null 2>&1 || kill "$SERVER" 2>/dev/null || true; }
trap stop EXIT
for _ in $(seq 1 100); do "$PGBIN/pg_isready" -q -h "$PG/sock" -p 5432 -U postgres && break; sleep 0.1; done
PSQL=("$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$PG/sock" -p 5432 -U postgres)
conn() { echo "host=$PG/sock port=5432 user=postgres dbname=$1"; }
now_ms() { date +%s%3N; }

# A pack source for database $1: SOURCE's records without audit/, then store init.
pgsource() {
  local dir="$WORK/pgsrc-$1"
  rm -rf "$dir"; mkdir -p "$dir"
  for f in trailpack.json checkpoints keys registry drift docs artifacts; do [ -e "$SRC/$f" ] && cp -r "$SRC/$f" "$dir/"; done
  "${PSQL[@]}" -d postgres -c "CREATE DATABASE $1"
  "$BIN" store init "$dir" --postgresql "$(conn "$1")" >/dev/null
  echo "$dir"
}

# events FIRST COUNT WRITER: COUNT record-ready events (times after the demo's last).
events() {
  awk -v f="$1" -v n="$2" -v w="$3" -v t="$TIME" 'BEGIN { for (i = f; i < f + n; i++)
    printf "{\"action\":\"code.changed\",\"actor\":{\"id\":\"u:bench%s\"},\"id\":\"bench-%s-%d\",\"subject\":{\"id\":\"repo\",\"type\":\"code\"},\"time\":\"%s\"}\n", w, w, i, t }'
}

echo "PostgreSQL: $("$PGBIN/postgres" --version), unix socket, fsync on"

# 1. Load the demo's EVENTS lines as rows (bulk, as store init + record would leave them).
LOADED=$(pgsource bench)
echo "loading $EVENTS rows…"
t0=$(now_ms)
"${PSQL[@]}" -d bench <<SQL
CREATE TEMP TABLE staging (n bigserial, line text);
\copy staging (line) FROM PROGRAM 'cat $SRC/audit/*.jsonl' WITH (FORMAT csv, DELIMITER E'\x01', QUOTE E'\x02')
INSERT INTO trailpack_events (seq, id, key_event, line)
  SELECT n, convert_to(line::jsonb->>'id', 'UTF8'), (line::jsonb->>'action') IN ('key.registered', 'key.revoked'), convert_to(line, 'UTF8')
  FROM staging ORDER BY n;
UPDATE trailpack_head SET max_time = (SELECT line::jsonb->>'time' FROM staging ORDER BY n DESC LIMIT 1);
VACUUM ANALYZE trailpack_events;
SQL
# The events appended below carry the log's latest time (record refuses earlier ones).
TIME=$("${PSQL[@]}" -d bench -c "SELECT max_time FROM trailpack_head")
echo "loaded in $(( ($(now_ms) - t0) / 1000 )) s: $("${PSQL[@]}" -d bench -c 'SELECT count(*) FROM trailpack_events') rows, table $("${PSQL[@]}" -d bench -c "SELECT pg_size_pretty(pg_total_relation_size('trailpack_events'))")"

# 2. Verify from PostgreSQL beside verify from files.
/usr/bin/time -f '%e %M' -o "$WORK/pgverify.time" "$BIN" verify "$LOADED" >"$WORK/pgverify.out" 2>&1 || true
read -r pgsecs pgkb <"$WORK/pgverify.time"
tail -n 1 "$WORK/pgverify.out"
if [ -n "$FILE_VERIFY" ]; then
  awk -v p="$pgsecs" -v f="$FILE_VERIFY" -v k="$pgkb" -v e="$EVENTS" 'BEGIN {
    printf "verify from PostgreSQL: %.2f s (%.0f events/s, peak RSS %.1f MB) vs files %.2f s: %.2fx (target <= 2x)\n", p, e/p, k/1024, f, p/f }'
else
  awk -v p="$pgsecs" -v k="$pgkb" 'BEGIN { printf "verify from PostgreSQL: %.2f s, peak RSS %.1f MB\n", p, k/1024 }'
fi

# 3. One append's latency with EVENTS rows: `trailpack record` of one event, 11 runs, median
#    (process start, connection, head lock, tail checks, insert, commit).
: >"$WORK/latency.txt"
for i in $(seq 1 11); do
  events "$i" 1 lat >"$WORK/one.jsonl"
  t0=$(date +%s%N)
  "$BIN" record "$LOADED" --event "$WORK/one.jsonl" >/dev/null
  echo $(( ($(date +%s%N) - t0) / 1000 )) >>"$WORK/latency.txt"
done
: >"$WORK/startup.txt"
for i in $(seq 1 11); do
  t0=$(date +%s%N); "$BIN" --version >/dev/null; echo $(( ($(date +%s%N) - t0) / 1000 )) >>"$WORK/startup.txt"
done
sort -n "$WORK/startup.txt" | awk '{ a[NR] = $1 } END { printf "process start alone (trailpack --version): median %.1f ms\n", a[int((NR+1)/2)]/1000 }'
sort -n "$WORK/latency.txt" | awk '{ a[NR] = $1 } END { printf "one append at %s rows (trailpack record, whole process): median %.1f ms, min %.1f ms, max %.1f ms (target < 20 ms)\n", '"$EVENTS"', a[int((NR+1)/2)]/1000, a[1]/1000, a[NR]/1000 }'
python3 "$(dirname "$0")/append_latency.py" "$BIN" "$LOADED" "$TIME" "$EVENTS"

# 4. 8 concurrent writers, batches of 10, each a `trailpack record` process on its own connection.
BATCHES=${PG_BENCH_BATCHES:-40}
CONC=$(pgsource concurrent)
for w in $(seq 0 7); do for b in $(seq 0 $((BATCHES - 1))); do events $((b * 10)) 10 "w$w" >"$WORK/w$w-b$b.jsonl"; done; done
t0=$(now_ms)
WRITERS=()
for w in $(seq 0 7); do
  ( for b in $(seq 0 $((BATCHES - 1))); do "$BIN" record "$CONC" --event "$WORK/w$w-b$b.jsonl" >/dev/null; done ) &
  WRITERS+=($!)
done
wait "${WRITERS[@]}"   # not the server, also a child of this shell
ms=$(( $(now_ms) - t0 ))
rows=$("${PSQL[@]}" -d concurrent -c 'SELECT count(*) FROM trailpack_events')
awk -v n="$rows" -v ms="$ms" 'BEGIN { printf "8 concurrent record processes, batches of 10: %d events in %.2f s = %.0f events/s (target >= 5000/s)\n", n, ms/1000, n/(ms/1000) }'
"$BIN" verify "$CONC" | tail -n 1 || true

# 4b. 8 concurrent streaming writers: one `trailpack record --batch-size 10` process each (one
#     connection, one transaction per batch of 10), 500 events each, all at once.
STREAM=$(pgsource streaming)
for w in $(seq 0 7); do events 0 500 "s$w" >"$WORK/s$w.jsonl"; done
t0=$(now_ms)
WRITERS=()
for w in $(seq 0 7); do
  "$BIN" record "$STREAM" --batch-size 10 --event "$WORK/s$w.jsonl" >/dev/null 2>&1 &
  WRITERS+=($!)
done
wait "${WRITERS[@]}"
ms=$(( $(now_ms) - t0 ))
rows=$("${PSQL[@]}" -d streaming -c 'SELECT count(*) FROM trailpack_events')
awk -v n="$rows" -v ms="$ms" 'BEGIN { printf "8 concurrent streaming writers (record --batch-size 10), 500 events each: %d events in %.2f s = %.0f events/s (target >= 5000/s)\n", n, ms/1000, n/(ms/1000) }'
"$BIN" verify "$STREAM" | tail -n 1 || true

# 5. The same transaction without process start: pgbench, 8 clients, the append's SQL
#    (lock head, last row, key events, insert 10 rows, update head, commit).
cat >"$WORK/append.sql" <<'SQL'
BEGIN;
SELECT max_time FROM trailpack_head FOR UPDATE;
SELECT seq, line FROM trailpack_events ORDER BY seq DESC LIMIT 1;
SELECT line FROM trailpack_events WHERE key_event ORDER BY seq;
INSERT INTO trailpack_events (seq, id, key_event, line)
  SELECT m + g, convert_to('pgb-' || (m + g)::text, 'UTF8'), false, convert_to(repeat('x', 480), 'UTF8')
  FROM (SELECT max(seq) AS m FROM trailpack_events) t, generate_series(1, 10) g;
UPDATE trailpack_head SET max_time = max_time;
COMMIT;
SQL
"$PGBIN/pgbench" -n -h "$PG/sock" -p 5432 -U postgres -c 8 -j 2 -T 10 -f "$WORK/append.sql" concurrent 2>/dev/null \
  | awk '/^tps/ { printf "pgbench, the append transaction of 10 rows, 8 clients, 10 s: %.0f transactions/s = %.0f events/s\n", $3, $3 * 10 }'
