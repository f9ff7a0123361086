#!/usr/bin/env bash
# The whole suite on both backends: the embedded default (SQLite + in-memory layer), then PostgreSQL + Redis.
# The second runs even when the first fails; one summary line per backend closes the output, and the exit status is
# non-zero if either failed. pytest-xdist spreads each run over the machine's cores (-n auto), one file per worker.
#   scripts/run-suite.sh [sqlite|postgres ...] [-- extra pytest arguments]
set -u
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/test}
REDIS=${REDIS:-redis://127.0.0.1:6379/0}
backends=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do backends+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#backends[@]} -eq 0 ] && backends=(sqlite postgres)
mkdir -p test-artifacts
summaries=()
status=0
for backend in "${backends[@]}"; do
  log="test-artifacts/pytest-$backend.log"
  echo "=== $backend ==="
  if [ "$backend" = postgres ]; then
    if ! ./scripts/ensure-services.sh; then
      summaries+=("$backend: 0 passed, 1 failed (PostgreSQL or Redis is not available)"); status=1; continue
    fi
    env DATABASE_URL="$PG_URL" REDIS_URL="$REDIS" "$BIN/pytest" -q -p no:randomly -n auto --dist loadfile "$@" 2>&1 | tee "$log"
  else
    env -u DATABASE_URL -u REDIS_URL "$BIN/pytest" -q -p no:randomly -n auto --dist loadfile "$@" 2>&1 | tee "$log"
  fi
  code=${PIPESTATUS[0]}
  [ "$code" -ne 0 ] && status=1
  last=$(grep -E '[0-9]+ (passed|failed|error|errors|skipped)' "$log" | tail -n 1)
  count() { echo "$last" | grep -oE "[0-9]+ $1" | head -n 1 | cut -d' ' -f1; }
  passed=$(count passed); failed=$(count failed); errors=$(count 'errors?'); skipped=$(count skipped)
  failed=$(( ${failed:-0} + ${errors:-0} ))
  if [ "$code" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # pytest failed without a count (collection, crash)
  summaries+=("$backend: ${passed:-0} passed, $failed failed, ${skipped:-0} skipped")
done
echo
for line in "${summaries[@]}"; do echo "$line"; done
exit $status
