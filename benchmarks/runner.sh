#!/usr/bin/env bash
# Benchmarks the experiment runner.
#
#   benchmarks/runner.sh [CELLS] [HTTP_CELLS]
#
# 1. Runner overhead: CELLS (default 100,000) cells against the built-in
#    instant provider local/echo, every response written to SQLite. Reports
#    cells/s and peak RSS (GNU time).
# 2. HTTP path: HTTP_CELLS (default 20,000) cells against a local
#    OpenAI-compatible server on loopback, next to the ceiling the same server
#    reaches under wrk in the same run.
# 3. Rendering: a prompt with a 40-example {{#each}} and two partials rendered
#    on one thread (promptlab-render-bench), next to the same messages built by
#    hand-written Swift in the same process.
#
# Needs: python3, wrk and GNU time (apt-get install -y wrk time). Builds in release mode.
set -euo pipefail
cells=${1:-100000}
http_cells=${2:-20000}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/bench-out"
mkdir -p "$out"
for tool in wrk /usr/bin/time; do
  command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk time >/dev/null; }
done

scratch="$root/.build-bench"
swift build -c release --static-swift-stdlib --package-path "$root" --scratch-path "$scratch" \
  --product promptlab >&2
for product in promptlab-test-server promptlab-load promptlab-render-bench; do
  swift build -c release --static-swift-stdlib --package-path "$root" --scratch-path "$scratch" \
    --product "$product" >&2
done
bin="$(swift build -c release --static-swift-stdlib --package-path "$root" --scratch-path "$scratch" --show-bin-path)"
promptlab="$bin/promptlab"

work=$(mktemp -d /tmp/promptlab-runner-bench.XXXXXX)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
"$promptlab" init --author "Bench <bench@example.com>" >/dev/null
cat > echo.prompt <<'PROMPT'
---
description: A short classification prompt for runner benchmarks.
config: {temperature: 0, maxOutputTokens: 8}
input:
  schema:
    ticket: string
---
{{role "system"}}
Route the ticket to billing, technical, shipping or general. Answer with the label only.
{{role "user"}}
Ticket: {{ticket}}
PROMPT
"$promptlab" commit -m "benchmark prompt" --author "Bench <bench@example.com>" >/dev/null

# cases.jsonl: N distinct tickets.
make_cases() {
  python3 - "$1" > "$2" <<'PY'
import json, sys
topics = ["refund for order", "app crashes on login", "parcel is late", "question about sizes"]
for i in range(int(sys.argv[1])):
    print(json.dumps({"id": f"c{i}", "ticket": f"Ticket {i}: {topics[i % 4]} number {i * 7919 % 100003}"}))
PY
}

# --- 1. Runner overhead -------------------------------------------------------
make_cases "$cells" cases.jsonl
cat > overhead.yaml <<'YAML'
name: runner-overhead
control: echo
model: local/echo
variants:
  echo: echo@v1
dataset: cases.jsonl
YAML
/usr/bin/time -f "%M %e" -o time.txt "$promptlab" run overhead.yaml --no-cache --concurrency 64 --format json \
  > overhead.json 2>/dev/null
read -r rss_kb wall < time.txt
python3 - "$cells" "$rss_kb" "$wall" overhead.json results.sqlite <<'PY'
import json, sqlite3, sys
cells, rss_kb, wall = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
run = json.load(open(sys.argv[4]))
db = sqlite3.connect(".promptlab/results.sqlite")
rows = db.execute("select count(*) from responses where run_id = ?", (run["run"],)).fetchone()[0]
print(f"runner overhead: {cells} cells against local/echo in {run['seconds']:.2f} s of run time "
      f"({wall:.2f} s wall for the whole process incl. validation) = {cells / run['seconds']:,.0f} cells/s "
      f"(whole process {cells / wall:,.0f} cells/s); rows in SQLite: {rows}; peak RSS {rss_kb / 1024:.0f} MB")
PY

# --- 2. HTTP path --------------------------------------------------------------
"$bin/promptlab-test-server" --threads 1 --url-file url.txt >/dev/null 2>&1 &
server_pid=$!
for _ in $(seq 100); do [ -s url.txt ] && break; sleep 0.05; done
base=$(cat url.txt)
cat > post.lua <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench"
wrk.body = '{"model":"bench","messages":[{"role":"system","content":"Route the ticket to billing, technical, shipping or general. Answer with the label only."},{"role":"user","content":"Ticket 1: refund for order number 7919"}],"temperature":0,"max_tokens":8}'
LUA
ceiling=$(wrk -t1 -c64 -d5s -s post.lua "$base/v1/chat/completions" | awk '/Requests\/sec/ {print $2}')
raw=$("$bin/promptlab-load" --url "$base/v1/chat/completions" --requests "$http_cells" --concurrency 64)
make_cases "$((http_cells / 2))" http-cases.jsonl
cat > http.yaml <<YAML
name: http-path
control: a
model: openai-compatible/bench
providers:
  openai-compatible: {base_url: "$base", max_concurrency: 64}
variants:
  a: echo@v1
  b: {prompt: echo@v1, config: {temperature: 0.5}}
dataset: http-cases.jsonl
YAML
OPENAI_API_KEY=unused "$promptlab" run http.yaml --no-cache --concurrency 64 --format json > http.json 2>/dev/null
python3 - "$http_cells" "$ceiling" http.json "$raw" <<'PY'
import json, sys
cells, ceiling, raw = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[4])
run = json.load(open(sys.argv[3]))
rate = cells / run["seconds"]
errors = sum(v["errors"] for v in run["variants"])
print(f"HTTP path: {cells} cells against a loopback OpenAI-compatible server at {rate:,.0f} cells/s "
      f"({errors} errors). Ceilings of the same server in this run: wrk (C, 64 connections) {ceiling:,.0f} "
      f"requests/s -> ratio {rate / ceiling:.0%}; plain AsyncHTTPClient load generator (the runner's HTTP "
      f"stack, 64 in flight) {raw:,.0f} requests/s -> ratio {rate / raw:.0%}")
PY

"$bin/promptlab-render-bench" > render.json
python3 - render.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"Rendering: {r['renders_per_second']:,} renders/s on one thread ({r['microseconds_per_render']} us per render, "
      f"{r['examples']} examples, two partials, {r['output_bytes']} bytes of messages); hand-written Swift building the "
      f"same messages in the same process: {r['baseline_renders_per_second']:,}/s -> the engine takes "
      f"{r['engine_over_baseline_time']}x its time. Uncached parses of the body: {r['uncached_parses_per_second']:,}/s")
PY
