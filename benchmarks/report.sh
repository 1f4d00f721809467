#!/usr/bin/env bash
# Benchmarks `promptlab report` on one large graded run.
#
#   benchmarks/report.sh [VARIANTS] [CASES] [REPEATS]
#
# Builds promptlab in release mode, creates a results database with the current
# schema (by opening it with promptlab), fills it with VARIANTS (default 10) ×
# CASES (default 100,000) × REPEATS (default 1) graded responses straight through
# Python's sqlite3 module (benchmarks/make-report-db.py), then times
# `promptlab report` (1,000 bootstrap resamples, text and JSON) with GNU time:
# wall-clock seconds and peak RSS. The first report is run once untimed so that
# the file is in the page cache; each format is then timed three times.
#
# Needs: python3 and GNU time (apt-get install -y time).
# SCRATCH overrides the build folder (default .build-bench, shared with runner.sh).
set -euo pipefail
variants=${1:-10}
cases=${2:-100000}
repeats=${3:-1}
root=$(cd "$(dirname "$0")/.." && pwd)
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }

scratch=${SCRATCH:-"$root/.build-bench"}
swift build -c release --static-swift-stdlib --package-path "$root" --scratch-path "$scratch" --product promptlab >&2
promptlab="$(swift build -c release --static-swift-stdlib --package-path "$root" --scratch-path "$scratch" --show-bin-path)/promptlab"

work=$(mktemp -d /tmp/promptlab-report-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$promptlab" init --author "Bench <bench@example.com>" >/dev/null
db="$work/results.sqlite"
"$promptlab" runs --db "$db" >/dev/null  # creates the file with every migration applied

echo "generating $variants variants × $cases cases × $repeats repeats..." >&2
start=$(date +%s)
run=$(python3 "$root/benchmarks/make-report-db.py" "$db" --variants "$variants" --cases "$cases" --repeats "$repeats")
echo "  done in $(( $(date +%s) - start ))s: run $run, $(du -h "$db" | cut -f1) on disk" >&2

"$promptlab" report "$run" --db "$db" > "$work/report.txt"  # warm-up, untimed
for format in text json; do
  for attempt in 1 2 3; do
    if ! /usr/bin/time -f "report --format $format: %e s wall, %U s user, %S s sys, %M KB peak RSS" \
      "$promptlab" report "$run" --db "$db" --format "$format" > "$work/report.$format" 2> "$work/time.txt"; then
      cat "$work/time.txt" >&2
      exit 1
    fi
    tail -n 1 "$work/time.txt"
  done
done
echo
cat "$work/report.text"
