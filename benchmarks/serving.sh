#!/usr/bin/env bash
# Benchmarks the serving API of `promptlab serve --api-only` on loopback with wrk:
#   1. resolve: POST /v1/prompts/NAME/resolve, a new unit each request, during a 50/50 rollout
#      (hashing, rendering, recording the assignment and the first exposure); CONNECTIONS connections.
#   2. gateway overhead: the same chat completion sent straight to the loopback provider server
#      (the baseline, measured in the same run) and through the gateway; one connection, so the
#      latencies compare; the difference at p50 and p99 is what the gateway adds.
#   3. feedback ingestion: POST /v1/feedback with unique events, one per request and 20 per request
#      (the batch form), acknowledged only once committed (group commit in SQLite WAL); then the
#      acknowledged events are counted in the database: none may be missing.
#
#   benchmarks/serving.sh [SECONDS] [CONNECTIONS]
#
# Needs: wrk, sqlite3 (apt-get install -y wrk sqlite3). SCRATCH overrides the build folder.
set -euo pipefail
seconds=${1:-10}
connections=${2:-16}
root=$(cd "$(dirname "$0")/.." && pwd)
for tool in wrk sqlite3; do
  command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$tool" >/dev/null; }
done
scratch=${SCRATCH:-"$root/.build-bench"}
for product in promptlab promptlab-test-server; do
  swift build -c release --static-swift-stdlib --package-path "$root" --scratch-path "$scratch" --product "$product" >&2
done
bin="$(swift build -c release --static-swift-stdlib --package-path "$root" --scratch-path "$scratch" --show-bin-path)"
bench="$root/benchmarks"

work=$(mktemp -d /tmp/promptlab-serving-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

"$bin/promptlab-test-server" --threads 1 --url-file "$work/upstream.url" > /dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/upstream.url" ] && break; sleep 0.05; done
upstream=$(cat "$work/upstream.url")

repo="$work/repo"
mkdir -p "$repo/support" "$repo/rollouts"
cd "$repo"
git init -q && git config user.name Bench && git config user.email bench@example.com
"$bin/promptlab" init > /dev/null
printf -- '---\nmodel: openai/gpt-4o-mini\nconfig:\n  temperature: 0\n---\nRoute: {{ticket}}\n' > support/triage.prompt
"$bin/promptlab" commit -m v1 > /dev/null
printf -- '---\nmodel: openai/gpt-4o-mini\nconfig:\n  temperature: 0\n---\nRoute carefully: {{ticket}}\n' > support/triage.prompt
"$bin/promptlab" commit -m v2 > /dev/null
"$bin/promptlab" label support/triage@v1 production > /dev/null
cat > rollouts/bench.yaml <<'YAML'
prompt: support/triage
arms:
  - {name: control, ref: production, weight: 50}
  - {name: careful, ref: v2, weight: 50}
metrics:
  - {name: thumbs_up, type: binary}
primary: thumbs_up
YAML
"$bin/promptlab" rollout start bench > /dev/null

key="bench-key-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export PROMPTLAB_BENCH_KEY="$key"
OPENAI_BASE_URL="$upstream" OPENAI_API_KEY=sk-bench PROMPTLAB_API_KEYS="$key=admin" \
  "$bin/promptlab" serve --api-only --port 0 --guardrail-interval 0 > "$work/serve.out" 2>&1 &
server=$!
pids+=($server)
url=""
for _ in $(seq 1 200); do
  url=$(sed -n 's/^PromptLab is serving \(.*\)$/\1/p' "$work/serve.out")
  [ -n "$url" ] && break
  sleep 0.05
done
[ -n "$url" ] || { cat "$work/serve.out" >&2; exit 1; }
url=${url%/}

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); wrk ${seconds}s per row"
echo "## resolve (${connections} connections, a new unit per request)"
wrk -t2 -c"$connections" -d2s -s "$bench/serving-resolve.lua" "$url" > /dev/null  # warm-up
wrk -t2 -c"$connections" -d"${seconds}s" -s "$bench/serving-resolve.lua" "$url" | tail -1

echo "## gateway overhead (1 connection)"
PROMPTLAB_BENCH_DIRECT=1 wrk -t1 -c1 -d2s -s "$bench/serving-chat.lua" "$upstream" > /dev/null
printf 'direct to upstream: '; PROMPTLAB_BENCH_DIRECT=1 wrk -t1 -c1 -d"${seconds}s" -s "$bench/serving-chat.lua" "$upstream" | tail -1
wrk -t1 -c1 -d2s -s "$bench/serving-chat.lua" "$url" > /dev/null
printf 'through the gateway: '; wrk -t1 -c1 -d"${seconds}s" -s "$bench/serving-chat.lua" "$url" | tail -1

echo "## feedback ingestion (${connections} connections)"
assignment=$(curl -s -X POST "$url/v1/prompts/support/triage/resolve" -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' -d '{"unit":"feedback-user","variables":{"ticket":"x"}}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["assignment_id"])')
export PROMPTLAB_BENCH_ASSIGNMENT="$assignment"
db="$repo/.promptlab/results.sqlite"
acknowledged=0
for per in 1 20; do
  before=$(sqlite3 "$db" "SELECT count(*) FROM rollout_metric_values")
  line=$(EVENTS_PER_REQUEST=$per wrk -t2 -c"$connections" -d"${seconds}s" -s "$bench/serving-feedback.lua" "$url" | tail -1)
  after=$(sqlite3 "$db" "SELECT count(*) FROM rollout_metric_values")
  acked=$(echo "$line" | sed -n 's/.*acknowledged_events=\([0-9]*\).*/\1/p')
  echo "$per event(s)/request: $line stored=$((after - before))"
  # wrk counts a request cut off at its deadline as neither acknowledged nor failed; the server may
  # still have stored it, so stored ≥ acknowledged is the check.
  [ "$((after - before))" -ge "$acked" ] || { echo "error: acknowledged events are missing from the database" >&2; exit 1; }
done
echo "## server"
grep -E 'VmHWM|VmRSS' "/proc/$server/status" | tr -s ' \t' ' '
