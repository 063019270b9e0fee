#!/usr/bin/env bash
# tousu monthly-report benchmark (issue 6): a month's full report over 1,000,000 generated
# cases (and 10,000,000 with BENCH_REPORT_10M=1), warm and cold, through the library
# (tousu-report-bench) and the CLI (`tousu report`). See bench/README.md, "The monthly
# report over millions of cases".
#
#   bash bench/report.sh
#   BENCH_REPORT_10M=1 bash bench/report.sh      # also 10,000,000 cases (hours to generate)
#
# The databases are made when missing and kept: BENCH_BUILD/report-1m.db and report-10m.db
# (seed 1, 24 months ending 2026-10, --no-fts: their search index is empty and their
# full-text triggers are gone, so they are for benchmarks only). Generation logs go to
# report-1m.log and report-10m.log beside them.
#
# Environment (all optional):
#   BENCH_BUILD             build folder of the release programs (default build-bench)
#   BENCH_REPORT_10M=1      also generate and measure 10,000,000 cases
#   BENCH_REPORT_MONTH      the month reported (default 2026-10, the generator's last)
#   BENCH_REPORT_WARM_RUNS  timed calls per slice, warm (default 5)
#   BENCH_REPORT_COLD_RUNS  timed calls per slice, cold (default 3)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BENCH_BUILD:-$ROOT/build-bench}
MONTH=${BENCH_REPORT_MONTH:-2026-10}
WARM=${BENCH_REPORT_WARM_RUNS:-5}
COLD=${BENCH_REPORT_COLD_RUNS:-3}
say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: FAILED: %s\n' "$*" >&2; exit 1; }

# ---- the release programs ------------------------------------------------------------------
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  bash "$ROOT/scripts/deps.sh" build
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DTS_TESTS=OFF >/dev/null
fi
cmake --build "$BUILD" -j "$(nproc)" --target tousu-gen tousu-report-bench tousu >/dev/null ||
  die "the release build failed"

# ---- the databases -------------------------------------------------------------------------
# Bytes per case of a --no-fts file: from the 1,000,000-case file once it exists, else the
# figure measured on 200,000 cases (bench/README.md), rounded up.
bytes_per_case() {
  if [ -f "$BUILD/report-1m.db" ]; then
    echo $(( $(stat -c %s "$BUILD/report-1m.db") / 1000000 + 1 ))
  else
    echo 3400
  fi
}

# generate CASES FILE: makes FILE with tousu-gen unless it exists; refuses when the disk
# has less room than the file will take plus a fifth (the WAL, the final checkpoint).
generate() {
  local n=$1 db=$2 log=${2%.db}.log
  [ -f "$db" ] && return 0
  local need_kib=$(( n * $(bytes_per_case) * 6 / 5 / 1024 ))
  local free_kib
  free_kib=$(df -Pk "$(dirname "$db")" | awk 'NR == 2 { print $4 }')
  if [ "$free_kib" -lt "$need_kib" ]; then
    die "not enough disk for $n cases in $(dirname "$db"): about $(( need_kib / 1048576 + 1 )) GiB needed, $(( free_kib / 1048576 )) GiB free"
  fi
  say "generating $n cases into $db (about $(( need_kib / 1048576 + 1 )) GiB; log $log)"
  rm -f "$db.part" "$db.part-wal" "$db.part-shm"
  # written under another name and renamed when complete, so that an interrupted run is
  # not taken for a database the next time
  if ! /usr/bin/time -f 'generated in %e s, %M KiB max RSS' "$BUILD/tousu-gen" --db "$db.part" \
      --cases "$n" --seed 1 --months 24 --end 2026-10 --no-fts >"$log" 2>&1; then
    tail -5 "$log" >&2
    die "tousu-gen failed (see $log)"
  fi
  mv "$db.part" "$db"
  rm -f "$db.part-wal" "$db.part-shm"
  tail -3 "$log" >&2
}

# measure FILE: the bench warm and cold, then the CLI.
measure() {
  local db=$1
  say "$(du -h "$db" | cut -f1) $db ($(sqlite3 "$db" 'SELECT count(*) FROM cases' 2>/dev/null || echo '?') cases)"
  "$BUILD/tousu-report-bench" --db "$db" --month "$MONTH" --runs "$WARM" ||
    say "tousu-report-bench (warm) failed: see above"
  "$BUILD/tousu-report-bench" --db "$db" --month "$MONTH" --runs "$COLD" --cold ||
    say "tousu-report-bench (cold) failed: see above"
  local err
  err=$(mktemp)
  if /usr/bin/time -f 'tousu report --format json: %e s elapsed, %M KiB max RSS' \
      "$BUILD/tousu" report --db "$db" --month "$MONTH" --format json -o /dev/null 2>"$err"; then
    cat "$err" >&2
  else
    say "tousu report is not available yet or failed: $(grep -v '^Command exited' "$err" | head -2 | tr '\n' ' ')"
  fi
  rm -f "$err"
}

generate 1000000 "$BUILD/report-1m.db"
measure "$BUILD/report-1m.db"
if [ "${BENCH_REPORT_10M:-0}" = 1 ]; then
  generate 10000000 "$BUILD/report-10m.db"
  measure "$BUILD/report-10m.db"
fi
