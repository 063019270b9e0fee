#!/usr/bin/env bash
# tousu search benchmark (issue 7): a database of generated cases, the index built over it,
# and searches timed with their recall checked. See bench/README.md, run I.
#
#   bash bench/search.sh
#
# Environment (all optional):
#   BENCH_BUILD          build folder of the release programs (default build-bench)
#   BENCH_SEARCH_DB      the database (default BENCH_BUILD/search-<cases>.db); made with
#                        tousu-gen when missing, kept afterwards (3.9 GiB per million cases)
#   BENCH_SEARCH_CASES   cases to generate (default 1000000)
#   BENCH_SEARCH_QUERIES queries per scope (default 2000)
#   BENCH_SEARCH_RECALL  words whose recall is checked against a substring scan (default 30)
#   BENCH_SEARCH_REBUILD=0  skip timing `tousu search rebuild` (it rewrites the index)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BENCH_BUILD:-$ROOT/build-bench}
CASES=${BENCH_SEARCH_CASES:-1000000}
DB=${BENCH_SEARCH_DB:-$BUILD/search-$CASES.db}
say() { printf 'bench: %s\n' "$*" >&2; }

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  bash "$ROOT/scripts/deps.sh" build
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DTS_TESTS=OFF >/dev/null
fi
cmake --build "$BUILD" -j "$(nproc)" >/dev/null
if [ ! -f "$DB" ]; then
  say "generating $CASES cases into $DB (about 6 minutes per million)"
  /usr/bin/time -f 'generated in %e s' "$BUILD/tousu-gen" --db "$DB" --cases "$CASES" --seed 1 >/dev/null
fi
say "database $(du -h "$DB" | cut -f1): $DB"
"$BUILD/tousu" search check --db "$DB"
if [ "${BENCH_SEARCH_REBUILD:-1}" = 1 ]; then
  "$BUILD/tousu" search rebuild --db "$DB"
fi
"$BUILD/tousu-search-bench" --db "$DB" --queries "${BENCH_SEARCH_QUERIES:-2000}" \
  --recall "${BENCH_SEARCH_RECALL:-30}"
