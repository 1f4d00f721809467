#!/usr/bin/env bash
# Benchmarks `promptlab serve`: page and API latency on a large run and on a long prompt history,
# and the server's memory.
#
#   benchmarks/web.sh [VARIANTS] [CASES] [COMMITS] [SECONDS]
#
# Builds promptlab in release mode (static Swift runtime, as the README installs it), then:
#   1. fills a results database with one graded run of VARIANTS (default 10) × CASES (default
#      100,000) responses (benchmarks/make-report-db.py, as benchmarks/report.sh), serves it, and
#      loads every page and API call of that run with wrk (one connection, SECONDS each, default 10):
#      latency p50/p95/p99 as wrk measures it on loopback, which is server time plus a few tens of
#      microseconds. The first request of each address is made once before, untimed: the report is
#      computed once per run state and cached, as users see it from the second view on.
#   2. builds the 10,000-commit repository of benchmarks/vcs.sh, serves it, and loads the prompt
#      lookup, its log and the diff between versions 1 and 1,000 (one connection, then four for
#      throughput). Baseline in the same run: `git show SHA:support/triage.prompt`, one git
#      process per request, timed with hyperfine.
#   3. prints the server's peak resident memory (VmHWM) after serving the large run.
#
# Needs: python3, git, wrk and hyperfine (apt-get install -y wrk hyperfine).
# SCRATCH overrides the build folder (default .build-bench, shared with the other benchmarks).
set -euo pipefail
variants=${1:-10}
cases=${2:-100000}
commits=${3:-10000}
seconds=${4:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
for tool in wrk hyperfine; do
  command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$tool" >/dev/null; }
done
scratch=${SCRATCH:-"$root/.build-bench"}
swift build -c release --static-swift-stdlib --package-path "$root" --scratch-path "$scratch" --product promptlab >&2
promptlab="$(swift build -c release --static-swift-stdlib --package-path "$root" --scratch-path "$scratch" --show-bin-path)/promptlab"
lua="$root/benchmarks/wrk-percentiles.lua"

work=$(mktemp -d /tmp/promptlab-web-bench.XXXXXX)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# Starts `promptlab serve` with the given arguments and sets $server (pid) and $url.
serve() {
  "$promptlab" serve --port 0 "$@" > "$work/serve.out" 2>&1 &
  server=$!
  for _ in $(seq 1 200); do
    url=$(sed -n 's/^PromptLab is serving \(.*\)$/\1/p' "$work/serve.out")
    [ -n "$url" ] && return 0
    sleep 0.05
  done
  cat "$work/serve.out" >&2
  exit 1
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }

# Loads one address: warm-up request, then wrk. Prints a row.
load() {  # label, path, [connections]
  local label=$1 path=$2 connections=${3:-1}
  local status
  status=$(curl -s -o /dev/null -w '%{http_code}' "$url${path#/}")
  [ "$status" = 200 ] || { echo "error: $path answered $status" >&2; exit 1; }
  printf '%-34s %s\n' "$label" "$(wrk -t1 -c"$connections" -d"${seconds}s" -s "$lua" "$url${path#/}" | tail -n 1)"
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores; wrk, 1 connection, ${seconds}s per address"

mkdir -p "$work/run"
( cd "$work/run" && "$promptlab" init --author "Bench <bench@example.com>" >/dev/null )
db="$work/run/results.sqlite"
"$promptlab" runs -C "$work/run" --db "$db" >/dev/null
echo "generating $variants variants × $cases cases..." >&2
run=$(python3 "$root/benchmarks/make-report-db.py" "$db" --variants "$variants" --cases "$cases")
middle=$(( cases / 2 ))
serve -C "$work/run" --db "$db"
echo "## run of $variants variants × $cases cases ($(du -h "$db" | cut -f1))"
load "run page (grid page 1)" "/runs/$run"
load "run page, grid page 1,000" "/runs/$run?page=1000"
load "run page, failing filter" "/runs/$run?failing=true&page=20"
load "API report" "/api/v1/runs/$run/report"
load "API cases, page 500" "/api/v1/runs/$run/cases?page=500"
load "API cases, newly failing vs control" "/api/v1/runs/$run/cases?newly_failing_vs=control&page=3"
load "API case detail" "/api/v1/runs/$run/cases/$(printf "case-%06d" "$middle")"
load "API progress" "/api/v1/runs/$run/progress"
load "runs list" "/runs"
load "overview" "/"
echo "server peak RSS: $(awk '/VmHWM/ {print $2, $3}' "/proc/$server/status")"
stop

echo "## prompt history of $commits commits"
repo="$work/history"
git init -q -b main "$repo"
python3 "$root/benchmarks/make-history.py" "$commits" | git -C "$repo" fast-import --quiet
git -C "$repo" checkout -q main
mapfile -t shas < <(git -C "$repo" log --reverse --format=%H -- support/triage.prompt)
last=${#shas[@]}
serve -C "$repo"
load "API prompt lookup" "/api/v1/prompts/support%2Ftriage"
load "API prompt lookup, 4 connections" "/api/v1/prompts/support%2Ftriage" 4
load "API log" "/api/v1/prompts/support%2Ftriage/log"
load "API diff v1 → v$last" "/api/v1/prompts/support%2Ftriage/diff?from=1&to=$last"
load "prompt page" "/prompts/support%2Ftriage"
echo "server peak RSS: $(awk '/VmHWM/ {print $2, $3}' "/proc/$server/status")"
stop
echo "## baseline: one git process per lookup"
hyperfine -N --warmup 5 --runs 50 --export-json "$work/git.json" "git -C $repo show ${shas[$last-1]}:support/triage.prompt" >/dev/null
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("git show, one process per lookup: median %.2f ms, mean %.2f ms" % (r["median"]*1000, r["mean"]*1000))' "$work/git.json"
