#!/usr/bin/env bash
# tousu benchmark: durable registrations/s and reads by case number, with the disk's
# fsync rate measured in the same run. See bench/README.md.
#
#   bash bench/run.sh            (or: make bench)
#
# Environment (all optional):
#   BENCH_BUILD        build folder of the release binary (default build-bench)
#   BENCH_DIR          folder for the temporary database (default: a fresh one under
#                      BENCH_BUILD, so it sits on the project's filesystem, not a tmpfs)
#   BENCH_REG_CONNS    connection counts for registration (default "16 64 256")
#   BENCH_REG_SECONDS  seconds per registration run (default 20)
#   BENCH_READ_CONNS   connection counts for reads (default "64 16 4"; the first is the
#                      headline figure, the others show latency below saturation)
#   BENCH_READ_SECONDS seconds per read run (default 15)
#   BENCH_THREADS      server --threads (default: the server's default)
#   BENCH_PORT         first port to try (default 18480)
#   BENCH_KEEP=1       keep the database and logs afterwards
#   BENCH_NO_FTS=1     drop the full-text index's triggers first (intake without the index,
#                      to measure what keeping it in step costs)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
BUILD=${BENCH_BUILD:-$ROOT/build-bench}
REG_CONNS=${BENCH_REG_CONNS:-16 64 256}
REG_SECONDS=${BENCH_REG_SECONDS:-20}
READ_CONNS=${BENCH_READ_CONNS:-64 16 4}
READ_SECONDS=${BENCH_READ_SECONDS:-15}
PORT=${BENCH_PORT:-18480}

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: FAILED: %s\n' "$*" >&2; exit 1; }

# ---- tools -------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
command -v jq >/dev/null || missing+=(jq)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
command -v cc >/dev/null || missing+=(build-essential)
command -v cmake >/dev/null || missing+=(cmake)
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || die "missing ${missing[*]} (run as root or apt-get install them)"
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---- the release binary (always brought up to date: the build is incremental) ------------
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  bash "$ROOT/scripts/deps.sh" build
  say "configuring a release build in $BUILD"
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DTS_TESTS=OFF >/dev/null
fi
cmake --build "$BUILD" -j "$(nproc)" >/dev/null || die "the release build failed"
TOUSU="$BUILD/tousu"
[ -x "$TOUSU" ] || die "no binary at $TOUSU"

# ---- a fresh database with the demo data -----------------------------------------------------
if [ -n "${BENCH_DIR:-}" ]; then
  mkdir -p "$BENCH_DIR"
  WORK=$(mktemp -d "$BENCH_DIR/run.XXXXXX")
else
  WORK=$(mktemp -d "$BUILD/bench-run.XXXXXX")
fi
DB="$WORK/tousu.db"
SERVER_PID=""
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "${BENCH_KEEP:-0}" = 1 ]; then
    say "kept $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

FSTYPE=$(df -PT "$WORK" | awk 'NR == 2 { print $2 }')
[ "$FSTYPE" = tmpfs ] && say "WARNING: $WORK is on tmpfs: fsync costs nothing there"
"$TOUSU" demo --db "$DB" --pwhash min >"$WORK/demo.log" 2>&1 || {
  cat "$WORK/demo.log" >&2
  die "tousu demo failed"
}
DEMO_CASES=$(sqlite3 "$DB" "SELECT count(*) FROM cases")
if [ "${BENCH_NO_FTS:-0}" = 1 ]; then
  for t in $(sqlite3 "$DB" "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'case_fts_%'"); do
    sqlite3 "$DB" "DROP TRIGGER $t"
  done
  say "full-text index triggers dropped (BENCH_NO_FTS=1)"
fi

# ---- the disk's fsync rate (same filesystem as the database) --------------------------------
cc -O2 -o "$WORK/fsync_rate" "$BENCH/fsync_rate.c"
FSYNC_LINE=$("$WORK/fsync_rate" "$WORK" 3)
say "$FSYNC_LINE"

# ---- the server ---------------------------------------------------------------------------------
# With --log-level warn the "listening" line is not printed, so take a free port ourselves;
# if another process takes it in between, the server exits and the next port is tried.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
THREAD_ARGS=()
[ -n "${BENCH_THREADS:-}" ] && THREAD_ARGS=(--threads "$BENCH_THREADS")
started=0
for try in $(seq 0 19); do
  p=$((PORT + try))
  port_free "$p" || continue
  "$TOUSU" serve --db "$DB" --port "$p" --pwhash min --log-level warn --test-clock "${THREAD_ARGS[@]}" \
    2>>"$WORK/server.log" &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    if curl -sf "http://127.0.0.1:$p/healthz" >/dev/null 2>&1; then
      started=1
      break
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  if [ $started = 1 ]; then
    PORT=$p
    break
  fi
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
done
[ $started = 1 ] || { cat "$WORK/server.log" >&2; die "the server did not start"; }
URL="http://127.0.0.1:$PORT"
say "server pid $SERVER_PID on $URL, database $DB ($FSTYPE)"

TOKEN=$(curl -sf -X POST -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"demo-admin-2026"}' "$URL/api/v1/auth/login" | jq -r .token)
if [ -z "$TOKEN" ] || [ "$TOKEN" = null ]; then die "cannot log in as the demo admin"; fi
OUTLETS=$(curl -sf -H "Authorization: Bearer $TOKEN" "$URL/api/v1/org/units" |
  jq -r '[.items[] | select(.kind == "outlet") | .id] | map(tostring) | join(",")')
[ -n "$OUTLETS" ] || die "the demo data has no outlet"
export TOUSU_TOKEN="$TOKEN" TOUSU_OUTLETS="$OUTLETS"

# The store's counters (group commits) from /metrics: "commits writes commit_seconds".
store_stats() {
  curl -sf "$URL/metrics" | awk '
    $1 == "tousu_store_commits_total" { c = $2 }
    $1 == "tousu_store_writes_total" { w = $2 }
    $1 == "tousu_store_commit_seconds_total" { s = $2 }
    END { printf "%d %d %.6f\n", c, w, s }'
}
metric_201() {
  curl -sf "$URL/metrics" |
    awk 'index($0, "tousu_http_requests_total{route=\"POST /api/v1/cases\",status=\"201\"} ") == 1 { n = $NF }
         END { print n + 0 }'
}

# CPU use, to tell a slow server from a busy machine: "machine_busy_jiffies total_jiffies
# server_jiffies" (the server's user + system time, all threads).
cpu_snap() {
  local busy total srv
  read -r busy total < <(awk '$1 == "cpu" { t = 0; for (i = 2; i <= 9; i++) t += $i;
                                            print t - $5 - $6, t }' /proc/stat)
  srv=$(awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat")
  echo "$busy $total $srv"
}
# "machine busy %, server CPU in cores" between two cpu_snap lines.
cpu_delta() {
  awk -v n="$(nproc)" 'NR == 1 { b = $1; t = $2; s = $3 }
    NR == 2 { dt = $2 - t; printf "%.0f %.2f\n", dt ? ($1 - b) * 100 / dt : 0, dt ? ($3 - s) * n / dt : 0 }' \
    <(echo "$1"; echo "$2")
}

# ---- registration ----------------------------------------------------------------------------
declare -A REG
read -r _ REG_W0 _ < <(store_stats)
WRK_201_TOTAL=0
REG_FAIL=0
for c in $REG_CONNS; do
  say "registration: wrk -t2 -c$c -d${REG_SECONDS}s"
  read -r c0 w0 s0 < <(store_stats)
  t0=$(date +%s.%N)
  u0=$(cpu_snap)
  wrk -t2 -c"$c" -d"${REG_SECONDS}s" --timeout 10s --latency -s "$BENCH/register.lua" "$URL" \
    >"$WORK/reg-$c.txt" 2>&1 || die "wrk failed: $(cat "$WORK/reg-$c.txt")"
  u1=$(cpu_snap)
  read -r c1 w1 s1 < <(store_stats)
  t1=$(date +%s.%N)
  read -r mbusy scpu < <(cpu_delta "$u0" "$u1")
  line=$(sed -n 's/^BENCH //p' "$WORK/reg-$c.txt")
  [ -n "$line" ] || die "no result line from wrk: $(cat "$WORK/reg-$c.txt")"
  n201=$(jq .status_201 <<<"$line")
  bad=$(jq '(.other_status | add // 0) + .errors.connect + .errors.read + .errors.write + .errors.timeout' <<<"$line")
  [ "$bad" -eq 0 ] || REG_FAIL=1
  WRK_201_TOTAL=$((WRK_201_TOTAL + n201))
  group=$(awk -v c=$((c1 - c0)) -v w=$((w1 - w0)) 'BEGIN { printf "%.1f", c ? w / c : 0 }')
  commit_ms=$(awk -v c=$((c1 - c0)) -v a="$s0" -v b="$s1" 'BEGIN { printf "%.3f", c ? (b - a) * 1000 / c : 0 }')
  busy=$(awk -v a="$s0" -v b="$s1" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.0f", (b - a) * 100 / (t1 - t0) }')
  REG[$c]=$(jq -c --arg g "$group" --arg cm "$commit_ms" --arg b "$busy" \
    --argjson commits $((c1 - c0)) --argjson bad "$bad" --argjson mbusy "$mbusy" --argjson scpu "$scpu" \
    '. + {commits: $commits, group: ($g|tonumber), commit_ms: ($cm|tonumber), writer_busy_pct: ($b|tonumber),
          bad: $bad, machine_busy_pct: $mbusy, server_cores: $scpu}' <<<"$line")
  say "  $(jq -r '"\(.rps|floor)/s  p50 \(.p50_ms) ms  p99 \(.p99_ms) ms  201: \(.status_201)  other: \(.bad)  commits: \(.commits) (\(.group)/commit, \(.commit_ms) ms each, writer busy \(.writer_busy_pct)%); machine busy \(.machine_busy_pct)%, server \(.server_cores) cores"' <<<"${REG[$c]}")"
done

# ---- read by number -------------------------------------------------------------------------
curl -sf -H "Authorization: Bearer $TOKEN" "$URL/api/v1/cases?per_page=500" |
  jq -r '.items[].case_no' >"$WORK/cases.txt"
NCASES=$(wc -l <"$WORK/cases.txt")
[ "$NCASES" -gt 0 ] || die "GET /api/v1/cases returned no case"
export TOUSU_CASES="$WORK/cases.txt"
declare -A READ
READ_FAIL=0
for c in $READ_CONNS; do
  t=2
  [ "$c" -ge 2 ] || t=1
  say "read: wrk -t$t -c$c -d${READ_SECONDS}s over $NCASES case numbers"
  u0=$(cpu_snap)
  wrk -t$t -c"$c" -d"${READ_SECONDS}s" --timeout 10s --latency -s "$BENCH/read.lua" "$URL" \
    >"$WORK/read-$c.txt" 2>&1 || die "wrk failed: $(cat "$WORK/read-$c.txt")"
  read -r mbusy scpu < <(cpu_delta "$u0" "$(cpu_snap)")
  line=$(sed -n 's/^BENCH //p' "$WORK/read-$c.txt")
  [ -n "$line" ] || die "no result line from wrk: $(cat "$WORK/read-$c.txt")"
  bad=$(jq '(.other_status | add // 0) + .errors.connect + .errors.read + .errors.write + .errors.timeout' <<<"$line")
  [ "$bad" -eq 0 ] || READ_FAIL=1
  READ[$c]=$(jq -c --argjson bad "$bad" --argjson mbusy "$mbusy" --argjson scpu "$scpu" \
    '. + {bad: $bad, machine_busy_pct: $mbusy, server_cores: $scpu}' <<<"$line")
  say "  $(jq -r '"\(.rps|floor)/s  p50 \(.p50_ms) ms  p99 \(.p99_ms) ms  non-200: \(.bad)"' <<<"${READ[$c]}")"
done

# the store's counters before the scheduler writes (the checks below count registrations)
SERVER_201=$(metric_201)
METRICS_FINAL=$(store_stats)

# ---- the SLA scheduler over every case registered above ------------------------------------------
# The server runs with --test-clock (its background worker is then off): move the clock past
# the 80 % point of every case's acknowledgement clock (24 h at g1: warnings), then past its
# end (breaches: overdue, escalation, delay, notifications), then tick once more with
# nothing due; each tick is one POST /api/v1/test/tick, timed from outside.
set_clock() {
  curl -sf -X PUT -H 'Content-Type: application/json' -d "{\"now\":\"$(date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ)\"}" \
    "$URL/api/v1/test/clock" >/dev/null || die "cannot set the test clock"
}
tick() {
  local t0 t1 out
  t0=$(date +%s.%N)
  out=$(curl -sf -X POST "$URL/api/v1/test/tick") || die "the tick failed"
  t1=$(date +%s.%N)
  jq -c --arg s "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" \
    '.result + {seconds: ($s|tonumber)}' <<<"$out"
}
NOW0=$(date +%s)
OPEN_CLOCKS=$(sqlite3 "$DB" "SELECT count(*) FROM case_clocks WHERE next_at IS NOT NULL")
set_clock $((NOW0 + 20 * 3600))
TICK_WARN=$(tick)
say "SLA tick at +20 h (warnings): $TICK_WARN  ($OPEN_CLOCKS clocks with a next_at before)"
set_clock $((NOW0 + 25 * 3600))
TICK_BREACH=$(tick)
say "SLA tick at +25 h (breaches): $TICK_BREACH"
TICK_IDLE=$(tick)
say "SLA tick with nothing due:    $TICK_IDLE"

# ---- stop, then check the database ------------------------------------------------------------
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
kill -TERM "$SERVER_PID"
STOP_RC=0
wait "$SERVER_PID" || STOP_RC=$?
SERVER_PID=""

DB_CASES=$(sqlite3 "$DB" "SELECT count(*) FROM cases")
NEW=$((DB_CASES - DEMO_CASES))
# Every registration that committed is a case: the store's count of applied writes since
# the first run (registration is the only write after the login; reads write nothing)
# must equal the new rows exactly. wrk stops with requests in flight: those commit on the
# server but wrk never sees their 201 (and the server's own 201 counter misses the ones
# whose client had already closed the connection when the commit finished), so wrk's
# count may be lower by at most the connections open at the end of each run.
read -r _ REG_W1 _ <<<"$METRICS_FINAL"
REG_WRITES=$((REG_W1 - REG_W0))
MAX_INFLIGHT=0
for c in $REG_CONNS; do MAX_INFLIGHT=$((MAX_INFLIGHT + c)); done
CHECK_COUNT=ok
[ "$NEW" -eq "$REG_WRITES" ] || CHECK_COUNT="MISMATCH: $NEW new cases, the store applied $REG_WRITES writes"
if [ "$NEW" -lt "$WRK_201_TOTAL" ] || [ "$NEW" -gt $((WRK_201_TOTAL + MAX_INFLIGHT)) ]; then
  CHECK_COUNT="MISMATCH: $NEW new cases, wrk saw $WRK_201_TOTAL 201s (in flight at most $MAX_INFLIGHT)"
fi
# Gap-free numbering: for every month, the counter == the number of cases == the largest serial.
GAPS=$(sqlite3 "$DB" "
  SELECT k.period || ': counter ' || k.last || ', cases ' || count(c.id) || ', max serial ' ||
         coalesce(max(CAST(substr(c.case_no, length(k.period) + 1) AS INTEGER)), 0)
  FROM case_counters k LEFT JOIN cases c ON substr(c.case_no, 1, length(k.period)) = k.period
  GROUP BY k.period
  HAVING count(c.id) != k.last
      OR coalesce(max(CAST(substr(c.case_no, length(k.period) + 1) AS INTEGER)), 0) != k.last;")
ORPHANS=$(sqlite3 "$DB" "SELECT count(*) FROM cases c WHERE NOT EXISTS
  (SELECT 1 FROM case_counters k WHERE substr(c.case_no, 1, length(k.period)) = k.period)")
PERIODS=$(sqlite3 -separator ' ' "$DB" "SELECT period, last FROM case_counters ORDER BY period" | paste -sd, -)
CHECK_SERIALS=ok
[ -z "$GAPS" ] && [ "$ORPHANS" -eq 0 ] || CHECK_SERIALS="GAPS: ${GAPS//$'\n'/; } orphans $ORPHANS"

# ---- summary ------------------------------------------------------------------------------------
read -r fc fw fs <<<"$METRICS_FINAL"
{
  echo "==================== tousu benchmark ===================="
  echo "when        $(date -Iseconds)   load (1/5/15 min) $LOAD"
  echo "machine     $(nproc) cpu, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), kernel $(uname -r)"
  echo "database    $DB on $FSTYPE ($(df -P "$WORK" | awk 'NR==2 { print $1 }')), server threads ${BENCH_THREADS:-default}"
  echo "disk        $FSYNC_LINE"
  echo "registration (POST /api/v1/cases, ${REG_SECONDS}s each):"
  printf '  %5s %7s %8s %8s %8s %8s %6s %7s %10s %9s %7s %6s %6s\n' conns req/s p50_ms p90_ms p99_ms max_ms non201 commits per_commit commit_ms writer% busy% server
  for c in $REG_CONNS; do
    read -r -a v < <(jq -r '[(.rps|floor), .p50_ms, .p90_ms, .p99_ms, .max_ms, .bad, .commits,
      .group, .commit_ms, .writer_busy_pct, .machine_busy_pct, .server_cores] | @tsv' <<<"${REG[$c]}")
    printf '  %5s %7s %8s %8s %8s %8s %6s %7s %10s %9s %7s %6s %6s\n' "$c" "${v[@]}"
  done
  echo "read by number (GET /api/v1/cases/{case_no}, ${READ_SECONDS}s each, $NCASES numbers):"
  printf '  %5s %7s %8s %8s %8s %8s %6s %6s %6s\n' conns req/s p50_ms p90_ms p99_ms max_ms non200 busy% server
  for c in $READ_CONNS; do
    read -r -a v < <(jq -r '[(.rps|floor), .p50_ms, .p90_ms, .p99_ms, .max_ms, .bad,
      .machine_busy_pct, .server_cores] | @tsv' <<<"${READ[$c]}")
    printf '  %5s %7s %8s %8s %8s %8s %6s %6s %6s\n' "$c" "${v[@]}"
  done
  echo "            (writer%: share of the run the store's single writer spent in group commits;"
  echo "             busy%: the whole machine's CPU; server: CPU cores the server used, the rest"
  echo "             of busy% is wrk and whatever else runs on the machine)"
  echo "store       $fc commits, $fw writes in all ($(awk -v c="$fc" -v w="$fw" 'BEGIN { printf "%.1f", c ? w / c : 0 }') per commit), $(awk -v c="$fc" -v s="$fs" 'BEGIN { printf "%.3f", c ? s * 1000 / c : 0 }') ms per commit"
  echo "cases       demo $DEMO_CASES + registered $NEW = $DB_CASES: $CHECK_COUNT"
  echo "            (store writes $REG_WRITES; 201s seen by wrk $WRK_201_TOTAL, $((NEW - WRK_201_TOTAL)) in flight at the runs' ends; 201s sent by the server $SERVER_201)"
  echo "numbers     $PERIODS: $CHECK_SERIALS"
  echo "sla ticks   ($OPEN_CLOCKS clocks with a next_at; POST /api/v1/test/tick, timed from outside)"
  echo "            +20 h (warnings): $TICK_WARN"
  echo "            +25 h (breaches): $TICK_BREACH"
  echo "            nothing due:      $TICK_IDLE"
  echo "shutdown    SIGTERM, exit status $STOP_RC"
  T64=${REG[64]:-}
  if [ -n "$T64" ]; then
    jq -r '"targets     registration c=64: \(.rps|floor)/s (target >= 8000: \(if .rps >= 8000 then "met" else "NOT met" end)), p99 \(.p99_ms) ms (target < 25: \(if .p99_ms < 25 then "met" else "NOT met" end))"' <<<"$T64"
  fi
  for c in $READ_CONNS; do
    jq -r --arg c "$c" '"            read c=\($c): p99 \(.p99_ms) ms (target < 2: \(if .p99_ms < 2 then "met" else "NOT met" end))"' <<<"${READ[$c]}"
  done
  echo "========================================================="
} | tee "$WORK/summary.txt"

status=0
[ "$REG_FAIL" -eq 0 ] || { say "registration had non-201 replies or socket errors (see above)"; status=1; }
[ "$READ_FAIL" -eq 0 ] || { say "reads had non-200 replies or socket errors (see above)"; status=1; }
[ "$CHECK_COUNT" = ok ] || status=1
[ "$CHECK_SERIALS" = ok ] || status=1
[ "$STOP_RC" -eq 0 ] || { say "the server exited with $STOP_RC"; status=1; }
if [ -s "$WORK/server.log" ]; then
  say "server log (warnings and errors):"
  head -20 "$WORK/server.log" >&2
fi
exit $status
